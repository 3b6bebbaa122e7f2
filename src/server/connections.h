// What keeps slow or hostile clients from holding the server's workers (docs/api.md §6):
//
//   BoundedPool   the worker threads; when all are busy, at most `queue` accepted
//                 connections wait, then the accept loop itself waits (the kernel's backlog
//                 takes the rest), so memory stays bounded.
//   Connections   a deadline for every connection: one whole request (headers, body) and its
//                 answer must fit in `timeout`, counted from when a worker takes the
//                 connection and again after each answer. A watchdog thread shuts down the socket of a
//                 connection past its deadline, which ends any read the worker is blocked
//                 in. A connection also has a `lifetime`, from when a worker takes it: the
//                 first answer after it has passed is the last (the socket is shut down once
//                 the answer is written), so that a client cannot keep a worker for good by
//                 sending one request after another. It also caps concurrent connections per
//                 client address.
//
// cpp-httplib reads a request with a timeout per read() but no deadline for the whole, and
// does not tell its task queue which socket a task serves. Connections therefore finds the
// socket itself when the accept loop enqueues it: accept() and enqueue() run in turn on the
// accept thread, so exactly one accepted socket of our listening port is not yet known; it
// keeps a dup() of it, so that shutting it down can never touch a reused descriptor.
//
// Thread safety: every method may be called from any thread.
#ifndef AMANAH_SRC_SERVER_CONNECTIONS_H_
#define AMANAH_SRC_SERVER_CONNECTIONS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace amanah::server {

class Connections {
 public:
  // `max_per_address` 0: no cap (behind a reverse proxy every client has its address).
  Connections(std::chrono::milliseconds timeout, size_t max_per_address,
              std::chrono::milliseconds lifetime);
  ~Connections();

  void set_listen_port(uint16_t port) { port_ = port; }

  // Called on the accept thread right after accept(): finds and registers the new socket.
  // Returns its token (0 if it could not be found: it is then served without a deadline).
  // A connection over the per-address cap is shut down at once (its task ends quickly).
  uint64_t Admit();
  // A worker took the connection: its deadline and its lifetime start.
  void Start(uint64_t token);
  // Called as an answer is about to be written: whether the connection has outlived its
  // lifetime, which makes this answer its last.
  bool LastAnswer(uint64_t token);
  // It answered a request (the answer is written): its deadline starts again, or, after its
  // last answer, the socket is shut down so that the worker reads no further request.
  void Answered(uint64_t token);
  // The connection is closed.
  void Release(uint64_t token);

  size_t open() const;

 private:
  struct Conn {
    int fd = -1;  // our dup of the socket
    uint64_t inode = 0;
    std::string address;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::steady_clock::time_point ends;  // the lifetime's end
    bool cut = false;
    bool last = false;  // LastAnswer said so
  };
  void Watch();

  const std::chrono::milliseconds timeout_;
  const size_t max_per_address_;
  const std::chrono::milliseconds lifetime_;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t next_token_ = 1;
  std::map<uint64_t, Conn> conns_;
  std::set<uint64_t> inodes_;
  std::map<std::string, size_t> per_address_;
  std::thread watchdog_;
};

// A fixed pool of workers with a bounded queue; enqueue() blocks while the queue is full.
class BoundedPool {
 public:
  BoundedPool(size_t threads, size_t queue);
  ~BoundedPool();
  void Enqueue(std::function<void()> fn);
  void Shutdown();  // runs what is queued, then joins

 private:
  void Work();
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace amanah::server

#endif  // AMANAH_SRC_SERVER_CONNECTIONS_H_
