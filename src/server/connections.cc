#include "connections.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace amanah::server {
namespace {

uint16_t LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

std::string PeerAddress(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

bool IsListening(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v != 0;
}

}  // namespace

Connections::Connections(std::chrono::milliseconds timeout, size_t max_per_address,
                         std::chrono::milliseconds lifetime)
    : timeout_(timeout), max_per_address_(max_per_address), lifetime_(lifetime) {
  watchdog_ = std::thread([this] { Watch(); });
}

Connections::~Connections() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  watchdog_.join();
  for (auto& [token, c] : conns_) close(c.fd);
}

uint64_t Connections::Admit() {
  // The socket accept() just returned: a connected (not listening) socket on our port whose
  // inode no registered connection has. Linux: /proc/self/fd lists our descriptors.
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  const int dir_fd = dirfd(dir);
  int found = -1;
  uint64_t found_inode = 0;
  std::lock_guard<std::mutex> lock(mu_);
  while (dirent* e = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == dir_fd) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    if (inodes_.count(st.st_ino) != 0) continue;
    if (LocalPort(static_cast<int>(fd)) != port_ || IsListening(static_cast<int>(fd))) continue;
    found = static_cast<int>(fd);
    found_inode = st.st_ino;
    break;
  }
  closedir(dir);
  if (found < 0) return 0;
  const int copy = dup(found);
  if (copy < 0) return 0;
  Conn c;
  c.fd = copy;
  c.inode = found_inode;
  c.address = PeerAddress(copy);
  // The clocks start when a worker takes the connection (Start): waiting in the queue holds
  // no worker, and is not the client's doing.
  c.deadline = std::chrono::steady_clock::time_point::max();
  c.ends = std::chrono::steady_clock::time_point::max();
  if (max_per_address_ != 0 && per_address_[c.address] >= max_per_address_) {
    shutdown(copy, SHUT_RDWR);  // the worker finds it closed and moves on
    c.cut = true;
  }
  const uint64_t token = next_token_++;
  ++per_address_[c.address];
  inodes_.insert(c.inode);
  conns_.emplace(token, std::move(c));
  return token;
}

void Connections::Start(uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(token);
  if (it == conns_.end()) return;
  const auto now = std::chrono::steady_clock::now();
  it->second.deadline = now + timeout_;
  it->second.ends = now + lifetime_;
}

bool Connections::LastAnswer(uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(token);
  if (it == conns_.end()) return false;
  if (std::chrono::steady_clock::now() >= it->second.ends) it->second.last = true;
  return it->second.last;
}

void Connections::Answered(uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(token);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  const auto now = std::chrono::steady_clock::now();
  if (c.last) {
    // The answer is in the socket's buffer: the shutdown sends it, then the end of the
    // stream; the worker's wait for a next request ends at once.
    if (!c.cut) shutdown(c.fd, SHUT_RDWR);
    c.cut = true;
    return;
  }
  c.deadline = now + timeout_;
}

void Connections::Release(uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(token);
  if (it == conns_.end()) return;
  if (--per_address_[it->second.address] == 0) per_address_.erase(it->second.address);
  inodes_.erase(it->second.inode);
  close(it->second.fd);
  conns_.erase(it);
}

size_t Connections::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return conns_.size();
}

void Connections::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    const auto now = std::chrono::steady_clock::now();
    for (auto& [token, c] : conns_) {
      if (!c.cut && now > c.deadline) {
        shutdown(c.fd, SHUT_RDWR);
        c.cut = true;
      }
    }
  }
}

BoundedPool::BoundedPool(size_t threads, size_t queue) : capacity_(queue) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

BoundedPool::~BoundedPool() { Shutdown(); }

void BoundedPool::Enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mu_);
  not_full_.wait(lock, [this] { return jobs_.size() < capacity_ || shutdown_; });
  jobs_.push_back(std::move(fn));
  not_empty_.notify_one();
}

void BoundedPool::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BoundedPool::Work() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mu_);
      not_empty_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
      if (jobs_.empty()) return;
      fn = std::move(jobs_.front());
      jobs_.pop_front();
      not_full_.notify_one();
    }
    fn();
  }
}

}  // namespace amanah::server
