// ClientProfile (profile.h).
#include "profile.h"

#include <cstdlib>

#include "io.h"

namespace amanah::cli {

Result<ClientProfile> ClientProfile::Resolve(const std::string& home_flag) {
  if (!home_flag.empty()) return ClientProfile(home_flag);
  if (const char* env = std::getenv("AMANAH_HOME"); env != nullptr && *env != '\0') {
    return ClientProfile(env);
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return ClientProfile(std::string(home) + "/.amanah");
  }
  return InvalidArgument("no profile folder: give --home DIR or set AMANAH_HOME");
}

Status ClientProfile::Create() const { return MakeDirectory(dir_, 0700); }

Result<std::optional<std::string>> ClientProfile::LastCheckpoint() const {
  Result<std::string> text = ReadFile(CheckpointFile(), 64 * 1024);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) return std::optional<std::string>();
    return text.status();
  }
  return std::optional<std::string>(std::move(*text));
}

Status ClientProfile::SaveCheckpoint(std::string_view signed_note) const {
  AMANAH_RETURN_IF_ERROR(Create());
  return WriteFileAtomic(CheckpointFile(), signed_note, {.secret = false, .overwrite = true});
}

}  // namespace amanah::cli
