// Shared helpers of the command families (common.h).
#include "common.h"

#include <algorithm>
#include <vector>

#include "io.h"
#include "profile.h"

namespace amanah::cli {
namespace {

constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr size_t kMaxConfigFileBytes = 1 << 20;
constexpr std::string_view kShareHeader = "amanah sealed share v1";
constexpr std::string_view kDrillHeader = "amanah drill response v1";

// Splits text into lines: every line ends in LF, the last terminator may be missing. A CR,
// a blank line or an empty text is kMalformed.
Result<std::vector<std::string_view>> Lines(std::string_view text, std::string_view what) {
  if (text.empty() || text.find('\r') != std::string_view::npos) {
    return Malformed("not a " + std::string(what));
  }
  if (text.back() == '\n') text.remove_suffix(1);
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (;;) {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (line.empty()) return Malformed("not a " + std::string(what) + " (blank line)");
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

Result<std::string_view> Field(std::string_view line, std::string_view key) {
  std::string prefix = std::string(key) + ": ";
  if (line.substr(0, prefix.size()) != prefix) return Malformed("expected a '" + prefix + "' line");
  return line.substr(prefix.size());
}

}  // namespace

Result<KdfParams> KdfPreset(std::string_view name) {
  if (name == "interactive") return KdfParams{2, 65536};
  if (name == "moderate") return KdfParams{3, 262144};
  if (name == "sensitive") return KdfParams{4, 1048576};
  if (name == "test") return KdfParams{1, 8};  // hidden: for transcript tests only
  return InvalidArgument("--kdf must be interactive, moderate or sensitive");
}

Result<std::string> KeyPathOrProfile(const Context& ctx, const std::string& given) {
  if (!given.empty()) return given;
  AMANAH_ASSIGN_OR_RETURN(ClientProfile profile, ClientProfile::Resolve(ctx.home));
  return profile.KeyFile();
}

Result<PublicKey> LoadPublicKey(const std::string& path) {
  AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxKeyFileBytes));
  Result<PublicKey> key = ParsePublicKey(text);
  if (!key.ok()) return WithPath(path, key.status());
  return key;
}

Result<SecretKey> LoadSecretKey(Context& ctx, const std::string& path) {
  AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxKeyFileBytes));
  if (text.rfind("-----BEGIN AMANAH SECRET KEY-----", 0) != 0) {
    return Malformed(path + ": not an amanah secret key file");
  }
  AMANAH_ASSIGN_OR_RETURN(SecretBytes passphrase,
                          ctx.console.ReadPassphrase("Passphrase for " + path, false));
  Result<SecretKey> key = OpenSecretKey(text, passphrase);
  if (!key.ok()) return WithPath(path, key.status());
  return key;
}

Result<SignedConfig> LoadConfig(const std::string& path) {
  AMANAH_ASSIGN_OR_RETURN(std::string text, ReadFile(path, kMaxConfigFileBytes));
  Result<SignedConfig> config = ParseConfigFile(text);
  if (!config.ok()) return WithPath(path, config.status());
  return config;
}

std::string FormatShareFile(const ShareFile& share) {
  return std::string(kShareHeader) + "\nindex: " + std::to_string(share.index) +
         "\nconfig-hash: " + ToHex(share.config_hash) + "\nbox: " + ToBase64(share.box) + "\n";
}

Result<ShareFile> ParseShareFile(std::string_view text) {
  AMANAH_ASSIGN_OR_RETURN(auto lines, Lines(text, "sealed share file"));
  if (lines.size() != 4 || lines[0] != kShareHeader) return Malformed("not a sealed share file");
  ShareFile share;
  AMANAH_ASSIGN_OR_RETURN(std::string_view index, Field(lines[1], "index"));
  if (index.empty() || index.size() > 3 || index[0] == '0' ||
      !std::all_of(index.begin(), index.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Malformed("bad custodian index in the share file");
  }
  unsigned value = std::stoul(std::string(index));
  if (value > kMaxCustodians) return Malformed("bad custodian index in the share file");
  share.index = static_cast<uint16_t>(value);
  AMANAH_ASSIGN_OR_RETURN(std::string_view hash_hex, Field(lines[2], "config-hash"));
  Result<Bytes> hash = FromHex(hash_hex);
  if (!hash.ok() || hash->size() != share.config_hash.size() || ToHex(*hash) != hash_hex) {
    return Malformed("bad config hash in the share file");
  }
  std::copy(hash->begin(), hash->end(), share.config_hash.begin());
  AMANAH_ASSIGN_OR_RETURN(std::string_view box_b64, Field(lines[3], "box"));
  Result<Bytes> box = FromBase64(box_b64);
  if (!box.ok() || box->size() != kSealedShareBytes) {
    return Malformed("bad sealed box in the share file");
  }
  share.box = std::move(*box);
  return share;
}

std::string FormatDrillResponse(const release::DrillResponse& response) {
  return std::string(kDrillHeader) + "\n" + ToBase64(response.Encode()) + "\n";
}

Result<release::DrillResponse> ParseDrillResponse(std::string_view text) {
  AMANAH_ASSIGN_OR_RETURN(auto lines, Lines(text, "drill response"));
  if (lines.size() != 2 || lines[0] != kDrillHeader) return Malformed("not a drill response");
  Result<Bytes> bytes = FromBase64(lines[1]);
  if (!bytes.ok()) return Malformed("bad base64 in the drill response");
  return release::DrillResponse::Parse(*bytes);
}

Result<OpenedShare> OpenCustodianShare(Context& ctx, const std::string& config_path,
                                       const std::string& share_path, const std::string& key_path) {
  AMANAH_ASSIGN_OR_RETURN(SignedConfig config, LoadConfig(config_path));
  AMANAH_ASSIGN_OR_RETURN(std::string share_text, ReadFile(share_path, kMaxKeyFileBytes));
  Result<ShareFile> share = ParseShareFile(share_text);
  if (!share.ok()) return WithPath(share_path, share.status());
  const RegistryConfig& c = config.config;
  if (share->config_hash != c.Hash()) {
    return VerifyFailed(share_path + ": this share belongs to another registry config");
  }
  if (share->index < 1 || share->index > c.n) {
    return Malformed(share_path + ": custodian index out of range for this config");
  }
  // The config is checked before the passphrase is asked: nothing secret is used on a
  // config that does not verify.
  Status verified = VerifyConfig(config, 0);
  if (!verified.ok()) return WithPath(config_path, verified);

  AMANAH_ASSIGN_OR_RETURN(SecretKey key, LoadSecretKey(ctx, key_path));
  if (!(key.pub == c.custodians[share->index - 1])) {
    return VerifyFailed(key_path + ": not the key of custodian " + std::to_string(share->index) +
                        ", whose share this is");
  }
  Result<SecretBytes> opened = OpenShare(c, share->index, key.enc, share->box);
  if (!opened.ok()) return WithPath(share_path, opened.status());
  return OpenedShare{std::move(config), share->index, std::move(key), std::move(share->box),
                     std::move(*opened)};
}

Result<Bytes> ParseChallenge(std::string_view hex) {
  Result<Bytes> bytes = FromHex(hex);
  if (!bytes.ok()) return InvalidArgument("--challenge must be hex");
  if (bytes->size() < release::kMinChallengeBytes || bytes->size() > release::kMaxChallengeBytes) {
    return InvalidArgument("--challenge must be 16 to 1024 bytes (32 to 2048 hex digits)");
  }
  return bytes;
}

std::string DescribeCustodian(const RegistryConfig& config, uint16_t index) {
  const PublicKey& key = config.custodians[index - 1];
  return "custodian " + std::to_string(index) + " \"" + key.label + "\" " + key.Fingerprint();
}

}  // namespace amanah::cli
