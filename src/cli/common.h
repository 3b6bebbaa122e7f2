// Helpers that several command families share: loading keys and configs from files (with the
// path in every error), the KDF presets, and the two small file formats the client writes
// besides the spec's own (the sealed share file and the drill response file, docs/cli.md).
//
// Thread safety: none needed; the command is single-threaded.
#ifndef AMANAH_CLI_COMMON_H_
#define AMANAH_CLI_COMMON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "amanah/bytes.h"
#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/record.h"
#include "amanah/release.h"
#include "amanah/secret.h"
#include "amanah/status.h"
#include "cli.h"

namespace amanah::cli {

// "interactive" (2 passes, 64 MiB), "moderate" (3, 256 MiB: the spec's default), "sensitive"
// (4, 1 GiB), and the hidden "test" (1 pass, 8 KiB) that only tests may use.
Result<KdfParams> KdfPreset(std::string_view name);

// The path given, or the profile's key file when `given` is empty.
Result<std::string> KeyPathOrProfile(const Context& ctx, const std::string& given);

Result<PublicKey> LoadPublicKey(const std::string& path);
// Reads the secret key file and opens it with a passphrase from the console. A wrong
// passphrase or a changed file is kVerifyFailed with the core's fixed message.
Result<SecretKey> LoadSecretKey(Context& ctx, const std::string& path);
Result<SignedConfig> LoadConfig(const std::string& path);

// A custodian's sealed share as the dealer hands it over (docs/cli.md):
//   amanah sealed share v1 / index: <i> / config-hash: <hex> / box: <base64, 104 bytes>
struct ShareFile {
  uint16_t index = 0;
  ConfigHash config_hash{};
  Bytes box;
};
std::string FormatShareFile(const ShareFile& share);
Result<ShareFile> ParseShareFile(std::string_view text);

// A drill response (spec §6.6) as a file: "amanah drill response v1" and base64 of the 98 bytes.
std::string FormatDrillResponse(const release::DrillResponse& response);
Result<release::DrillResponse> ParseDrillResponse(std::string_view text);

// What a custodian's client has after opening its share: the verified config, its index, its
// key and the share itself (wiped when this goes out of scope).
struct OpenedShare {
  SignedConfig config;
  uint16_t index = 0;
  SecretKey key;
  Bytes box;  // the sealed share as delivered
  SecretBytes share{32};
};
// Loads the config, the share file and the key; checks the share is for this config and the
// key is the custodian listed at the share's index; verifies the config (spec §4.3 steps
// 1–3); opens and verifies the share (spec §4.4).
Result<OpenedShare> OpenCustodianShare(Context& ctx, const std::string& config_path,
                                       const std::string& share_path, const std::string& key_path);

// Hex of a drill challenge, 16..1024 bytes. kInvalidArgument otherwise.
Result<Bytes> ParseChallenge(std::string_view hex);

// "custodian 3 \"medical-ngo\" 29Y6-G2B7-6J9F-PH1D"
std::string DescribeCustodian(const RegistryConfig& config, uint16_t index);

}  // namespace amanah::cli

#endif  // AMANAH_CLI_COMMON_H_
