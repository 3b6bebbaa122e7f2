// Signed notes, verifier keys, checkpoints and cosignatures of the Amanah log
// (docs/spec.md §7.4-§7.7), following C2SP signed-note, tlog-checkpoint and tlog-cosignature
// so that golang.org/x/mod/sumdb/note accepts what we sign.
//
// A note is UTF-8 text ending in "\n", a blank line, and signature lines
// "— <name> <base64(key ID ‖ signature)>\n". A VerifierKey names a public key and its
// signature type: 0x01 for the log's Ed25519 note signature, 0x04 for a custodian's
// timestamped Ed25519 cosignature. A Signer holds the secret half. OpenNote ignores
// signatures from unknown keys, fails if a known key's signature does not verify, and fails
// unless at least one known key verified. OpenCheckpoint additionally requires the log's own
// signature and parses the body strictly. The origin of a log is a parameter chosen by the
// caller (the registry layer); this code never invents one.
//
// Errors: text that does not parse is kMalformed; a signature that does not verify, a missing
// log signature or an unexpected origin is kVerifyFailed; a bad argument from the caller
// (an invalid key name, a wrong key type for the job) is kInvalidArgument.
//
// Thread safety: values and pure functions. A Signer is move-only (it owns its secret key in
// guarded memory) and may be used from several threads at once for signing.
#ifndef AMANAH_NOTE_H_
#define AMANAH_NOTE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/merkle.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah::note {

// Signature type bytes of C2SP signed-note §"Signature types". Encoded on the wire: do not
// change.
inline constexpr uint8_t kTypeEd25519 = 0x01;          // log checkpoint signature
inline constexpr uint8_t kTypeCosignatureV1 = 0x04;    // C2SP tlog-cosignature, Ed25519
// The header line of the cosigned message (C2SP tlog-cosignature). Encoded on the wire.
inline constexpr std::string_view kCosignatureHeader = "cosignature/v1\n";
// Verifiers must accept at least 16 signatures (C2SP signed-note); we accept up to this many
// signature lines, like x/mod/sumdb/note.
inline constexpr size_t kMaxSignatures = 100;

// Key names: non-empty UTF-8 without Unicode spaces (Go's unicode.IsSpace) or '+'.
bool IsValidKeyName(std::string_view name);

// key ID = u32 of SHA256(name ‖ "\n" ‖ type ‖ public_key)[0:4] (docs/spec.md §7.5).
uint32_t KeyId(std::string_view name, uint8_t type, ByteView public_key);

// A named public key with its signature type: "<name>+<hex8(key ID)>+<base64(type ‖ key)>".
class VerifierKey {
 public:
  // kInvalidArgument for an invalid name, a type other than 0x01/0x04, or a key that is not
  // 32 bytes.
  static Result<VerifierKey> Create(std::string_view name, uint8_t type, ByteView public_key);
  // Parses the text form strictly (docs/spec.md §7.5): kMalformed on any deviation, including
  // a key ID that does not match the key and upper-case hex.
  static Result<VerifierKey> Parse(std::string_view text);

  std::string ToString() const;
  const std::string& name() const { return name_; }
  uint8_t type() const { return type_; }
  const std::array<uint8_t, 32>& public_key() const { return public_key_; }
  uint32_t key_id() const { return key_id_; }

  friend bool operator==(const VerifierKey&, const VerifierKey&) = default;

 private:
  VerifierKey() = default;
  std::string name_;
  uint8_t type_ = 0;
  std::array<uint8_t, 32> public_key_{};
  uint32_t key_id_ = 0;
};

// The secret half: an Ed25519 key pair made from a 32-byte seed (RFC 8032 §5.1.5).
class Signer {
 public:
  // kInvalidArgument for an invalid name, an unknown type, or a seed that is not 32 bytes.
  static Result<Signer> Create(std::string_view name, uint8_t type, const SecretBytes& seed);

  const VerifierKey& verifier_key() const { return vkey_; }
  // The 64-byte Ed25519 signature of `message` (no key ID, no timestamp).
  std::array<uint8_t, 64> SignRaw(ByteView message) const;

 private:
  Signer(VerifierKey vkey, SecretBytes secret_key)
      : vkey_(std::move(vkey)), secret_key_(std::move(secret_key)) {}
  VerifierKey vkey_;
  SecretBytes secret_key_;  // libsodium's 64-byte secret key (seed ‖ public key)
};

// One signature line, parsed but not verified.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;  // the bytes after the key ID
};

struct Note {
  std::string text;  // ends in "\n"; excludes the blank separator line
  std::vector<NoteSignature> signatures;
};

// Splits and checks a signed note (docs/spec.md §7.4). kMalformed on: invalid UTF-8, a
// control character other than "\n", no blank line, no signature line, a line that is not
// "— name base64", an invalid name, non-canonical base64, fewer than 5 signature bytes, more
// than kMaxSignatures lines.
Result<Note> ParseNote(std::string_view message);
// REQUIRES: note is well formed (as ParseNote would accept).
std::string FormatNote(const Note& note);

// A signature by a known key that verified. For type 0x04, the cosignature's timestamp.
struct VerifiedSignature {
  VerifierKey key;
  std::optional<uint64_t> timestamp;
};

struct OpenedNote {
  std::string text;
  std::vector<VerifiedSignature> verified;  // in the order of the signature lines
};

// docs/spec.md §7.4.2: parses, ignores lines whose (name, key ID) matches no key of `known`,
// verifies every other line, and requires at least one to have verified.
// kInvalidArgument if two keys of `known` share a name and key ID.
Result<OpenedNote> OpenNote(std::string_view message, std::span<const VerifierKey> known);

// ---- Checkpoints: docs/spec.md §7.6, C2SP tlog-checkpoint ------------------------------------

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  merkle::Hash root{};
  std::vector<std::string> extensions;  // extension lines, without their "\n"

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The note text "<origin>\n<size>\n<base64(root)>\n" followed by "<extension>\n" each.
// kInvalidArgument if the origin or an extension line is empty, contains a control
// character or is not UTF-8, or size >= 2^63.
Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint);
// Strict inverse of FormatCheckpoint: kMalformed otherwise (leading zeros, a root that is
// not 32 bytes of canonical base64, a missing final newline, empty lines).
Result<Checkpoint> ParseCheckpoint(std::string_view text);

// The signed note of `checkpoint`, with one signature by the log (a type 0x01 Signer).
Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Signer& log);

// Appends the cosignature of `cosigner` (a type 0x04 Signer) at POSIX time `timestamp` to
// the signed note `signed_checkpoint` (docs/spec.md §7.7). The caller MUST have verified the
// checkpoint and its consistency with the last one it cosigned before calling this.
// kInvalidArgument for a wrong signer type or timestamp >= 2^63; kMalformed if the note does
// not parse.
Result<std::string> Cosign(std::string_view signed_checkpoint, const Signer& cosigner,
                           uint64_t timestamp);

struct Cosignature {
  VerifierKey key;
  uint64_t timestamp = 0;
};

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  std::vector<Cosignature> cosignatures;  // those by `cosigners` that verified
};

// Opens a checkpoint: the note must verify (as OpenNote) with `log_key` among the verified
// keys; the body must parse; its origin must equal `origin`. Cosignatures by `cosigners`
// must verify when present; how many are needed is the caller's policy.
// kInvalidArgument if log_key is not type 0x01 or a cosigner key is not type 0x04.
Result<VerifiedCheckpoint> OpenCheckpoint(std::string_view signed_checkpoint,
                                          std::string_view origin, const VerifierKey& log_key,
                                          std::span<const VerifierKey> cosigners);

}  // namespace amanah::note

#endif  // AMANAH_NOTE_H_
