// ClientProfile: the folder on a user's machine that holds what the `amanah` client keeps for
// that user between commands.
//
//     <home>/                 created 0700
//       key                   the user's secret key file (spec §3.4), 0600
//       key.pub               its public key file (spec §3.2)
//       config.amanah         the registry config this user works with (spec §4.3)
//       share.sealed          custodians: their sealed share (the share-<i>.sealed file)
//       checkpoint            custodians: the last log checkpoint they verified and cosigned
//
// <home> is --home DIR, else $AMANAH_HOME, else ~/.amanah. Commands that take a key, a config
// or a share use these paths when the option is not given. The checkpoint is what a
// custodian's client checks consistency against before it cosigns a newer one (DESIGN "The
// log"): it is replaced only after the consistency proof from it to the new one verified;
// that check belongs to the registry commands, this class only keeps the bytes.
//
// Thread safety: a value; the files are the user's, one command at a time.
#ifndef AMANAH_CLI_PROFILE_H_
#define AMANAH_CLI_PROFILE_H_

#include <optional>
#include <string>
#include <string_view>

#include "amanah/status.h"

namespace amanah::cli {

class ClientProfile {
 public:
  // The profile at `home_flag` if not empty, else $AMANAH_HOME, else $HOME/.amanah.
  // kInvalidArgument if none of them is set. Touches no file.
  static Result<ClientProfile> Resolve(const std::string& home_flag);

  const std::string& dir() const { return dir_; }
  std::string KeyFile() const { return dir_ + "/key"; }
  std::string PublicKeyFile() const { return dir_ + "/key.pub"; }
  std::string ConfigFile() const { return dir_ + "/config.amanah"; }
  std::string ShareFile() const { return dir_ + "/share.sealed"; }
  std::string CheckpointFile() const { return dir_ + "/checkpoint"; }

  // Creates the folder (mode 0700) if it does not exist.
  Status Create() const;

  // The last checkpoint this custodian saw, or nullopt if none was kept yet.
  Result<std::optional<std::string>> LastCheckpoint() const;
  // Keeps `signed_note` as the last checkpoint, atomically.
  // REQUIRES: the caller verified it and its consistency with LastCheckpoint().
  Status SaveCheckpoint(std::string_view signed_note) const;

 private:
  explicit ClientProfile(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace amanah::cli

#endif  // AMANAH_CLI_PROFILE_H_
