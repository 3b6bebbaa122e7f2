// The `amanah` command's seam to the outside world: where text goes, where a passphrase comes
// from, and how files are read and written so that nothing is ever half-written.
//
// Console is an interface so that commands can run against a fake in tests; SystemConsole is
// the real terminal. The file helpers are plain functions over paths (POSIX), each returning
// a Status with the path in its message (a path is not a secret) and never the file's bytes.
//
// Thread safety: none needed; the command is single-threaded.
#ifndef AMANAH_CLI_IO_H_
#define AMANAH_CLI_IO_H_

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah::cli {

// The environment variable a script may use to pass a passphrase. Anyone who can read the
// process environment (the same user, root, /proc/<pid>/environ) can read it: for scripts
// and tests on a machine you control, never on a shared one.
inline constexpr const char* kPassphraseEnv = "AMANAH_PASSPHRASE";
inline constexpr size_t kMaxPassphraseBytes = 1024;

class Console {
 public:
  virtual ~Console() = default;
  virtual std::ostream& out() = 0;  // results, for the user or a script
  virtual std::ostream& err() = 0;  // prompts, progress and errors

  // A passphrase, from (in this order) the --passphrase-file given to the command, the
  // environment variable AMANAH_PASSPHRASE, or the terminal without echo. On a terminal
  // `confirm` asks twice and fails (kInvalidArgument) if the two differ. An empty passphrase
  // is kInvalidArgument. The bytes are never echoed, printed or kept outside SecretBytes.
  virtual Result<SecretBytes> ReadPassphrase(std::string_view prompt, bool confirm) = 0;
};

// The process's terminal: std::cout, std::cerr, and passphrases as described above.
class SystemConsole final : public Console {
 public:
  std::ostream& out() override;
  std::ostream& err() override;
  Result<SecretBytes> ReadPassphrase(std::string_view prompt, bool confirm) override;

  // Set from the global option --passphrase-file; empty means "not given".
  void set_passphrase_file(std::string path) { passphrase_file_ = std::move(path); }

 private:
  std::string passphrase_file_;
  // The environment variable is read once and then wiped from the environment, so a child
  // process does not inherit it; later reads in this process get the kept copy.
  std::optional<SecretBytes> env_passphrase_;
  bool env_read_ = false;
};

// Reads a whole (small) file. kNotFound if it does not exist, kInvalidArgument if it is
// larger than `max_bytes` or not a regular file, kUnavailable for any other I/O error.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 1 << 20);

struct WriteOptions {
  bool secret = false;     // created 0600 (else 0644)
  bool overwrite = false;  // replace an existing file (else kConflict if it exists)
};

// Writes `data` to `path` atomically: a temporary file in the same directory (created
// exclusively, with the final mode), written in full, fsync'ed, renamed over `path` (or,
// without `overwrite`, linked so that an existing file is never replaced even in a race),
// then the directory fsync'ed. On any failure the temporary is removed and `path` is as it
// was. kConflict ("… already exists; use --force to replace it") or kUnavailable.
Status WriteFileAtomic(const std::string& path, std::string_view data, WriteOptions options);

// True if something (a file, a link, a directory) exists at `path`.
bool Exists(const std::string& path);

// Creates `path` (one level) with `mode` if it does not exist; OK if it is a directory.
Status MakeDirectory(const std::string& path, unsigned mode);

// "<path>: <message>" with the status's code kept.
Status WithPath(const std::string& path, const Status& status);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_IO_H_
