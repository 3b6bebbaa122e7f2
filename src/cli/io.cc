// The real console and the file helpers of io.h (POSIX).
#include "io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

namespace amanah::cli {
namespace {

// Reads one line from `fd` into guarded memory: up to '\n' or end of file, without the line
// terminator (LF or CRLF). More than kMaxPassphraseBytes is kInvalidArgument.
Result<SecretBytes> ReadSecretLine(int fd) {
  SecretBytes buffer(kMaxPassphraseBytes + 2);
  size_t n = 0;
  for (;;) {
    uint8_t c;
    ssize_t got = read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Unavailable("cannot read the passphrase");
    if (got == 0 || c == '\n') break;
    if (n == buffer.size()) return InvalidArgument("the passphrase is too long");
    buffer.RevealMutable()[n++] = c;
    Wipe({&c, 1});
  }
  if (n > 0 && buffer.Reveal()[n - 1] == '\r') --n;
  if (n > kMaxPassphraseBytes) return InvalidArgument("the passphrase is too long");
  if (n == 0) return InvalidArgument("the passphrase is empty");
  return SecretBytes::CopyFrom(buffer.Reveal().first(n));
}

// Reads a line from the terminal on stdin with echo off; echo is restored before returning.
Result<SecretBytes> ReadFromTerminal(std::string_view prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) return Unavailable("cannot use the terminal");
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
    return Unavailable("cannot turn off the terminal's echo");
  }
  Result<SecretBytes> line = ReadSecretLine(STDIN_FILENO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  return line;
}

Status Errno(const std::string& what) {
  // strerror names the failure (e.g. "No space left on device"); it carries no input bytes.
  return Unavailable(what + ": " + std::strerror(errno));
}

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status WriteAll(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("write failed");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::ostream& SystemConsole::out() { return std::cout; }
std::ostream& SystemConsole::err() { return std::cerr; }

Result<SecretBytes> SystemConsole::ReadPassphrase(std::string_view prompt, bool confirm) {
  if (!passphrase_file_.empty()) {
    int fd = open(passphrase_file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return WithPath(passphrase_file_,
                      errno == ENOENT ? NotFound("no such file") : Errno("cannot open"));
    }
    Result<SecretBytes> line = ReadSecretLine(fd);
    close(fd);
    if (!line.ok()) return WithPath(passphrase_file_, line.status());
    return line;
  }
  if (!env_read_) {
    env_read_ = true;
    if (char* value = std::getenv(kPassphraseEnv); value != nullptr) {
      std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(value), std::strlen(value));
      if (!bytes.empty() && bytes.size() <= kMaxPassphraseBytes) {
        env_passphrase_ = SecretBytes::CopyFrom(bytes);
      }
      Wipe(bytes);
      unsetenv(kPassphraseEnv);
      if (!env_passphrase_) {
        return InvalidArgument(std::string(kPassphraseEnv) + " is empty or too long");
      }
    }
  }
  if (env_passphrase_) return env_passphrase_->Clone();
  if (!isatty(STDIN_FILENO)) {
    return InvalidArgument(
        "a passphrase is needed and stdin is not a terminal: use --passphrase-file FILE "
        "(or the environment variable AMANAH_PASSPHRASE)");
  }
  AMANAH_ASSIGN_OR_RETURN(SecretBytes first, ReadFromTerminal(std::string(prompt) + ": "));
  if (confirm) {
    AMANAH_ASSIGN_OR_RETURN(SecretBytes second, ReadFromTerminal("Again, to confirm: "));
    if (!first.Equals(second)) return InvalidArgument("the two passphrases differ");
  }
  return first;
}

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + ": no such file");
    return Errno(path + ": cannot open");
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return InvalidArgument(path + ": not a regular file");
  }
  std::string data;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno(path + ": read failed");
      close(fd);
      return s;
    }
    if (n == 0) break;
    if (data.size() + static_cast<size_t>(n) > max_bytes) {
      close(fd);
      return InvalidArgument(path + ": file too large");
    }
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

Status MakeDirectory(const std::string& path, unsigned mode) {
  if (mkdir(path.c_str(), static_cast<mode_t>(mode)) == 0) return Status::Ok();
  struct stat st {};
  if (errno == EEXIST && stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::Ok();
  }
  return Errno(path + ": cannot create the directory");
}

Status WithPath(const std::string& path, const Status& status) {
  if (status.ok()) return status;
  return Status(status.code(), path + ": " + status.message());
}

Status WriteFileAtomic(const std::string& path, std::string_view data, WriteOptions options) {
  if (!options.overwrite && Exists(path)) {
    return Conflict(path + " already exists; use --force to replace it");
  }
  const std::string dir = DirectoryOf(path);
  std::string tmpl = dir + "/." + BaseName(path) + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());  // created 0600, exclusively
  if (fd < 0) return Errno(path + ": cannot create a temporary file");
  const std::string tmp(name.data());
  auto abandon = [&](Status s) {
    close(fd);
    unlink(tmp.c_str());
    return s;
  };
  if (!options.secret && fchmod(fd, 0644) != 0) return abandon(Errno(path + ": chmod failed"));
  if (Status s = WriteAll(fd, data); !s.ok()) return abandon(WithPath(path, s));
  if (fsync(fd) != 0) return abandon(Errno(path + ": fsync failed"));
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    return Errno(path + ": close failed");
  }
  if (options.overwrite) {
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      Status s = Errno(path + ": rename failed");
      unlink(tmp.c_str());
      return s;
    }
  } else {
    // link() fails with EEXIST rather than replace a file that appeared since the check.
    if (link(tmp.c_str(), path.c_str()) != 0) {
      Status s = errno == EEXIST ? Conflict(path + " already exists; use --force to replace it")
                                 : Errno(path + ": cannot create");
      unlink(tmp.c_str());
      return s;
    }
    unlink(tmp.c_str());
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno(dir + ": cannot open the directory to sync it");
  int rc = fsync(dfd);
  close(dfd);
  if (rc != 0) return Errno(dir + ": fsync failed");
  return Status::Ok();
}

}  // namespace amanah::cli
