#include "amanah/note.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "amanah/keys.h"
#include "amanah/sha256.h"

namespace amanah::note {

namespace {

constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr uint64_t kMaxInt63 = (uint64_t{1} << 63) - 1;

// Decodes one UTF-8 code point at s[i]; returns its length, or 0 if the bytes are not
// well-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated), as Go's utf8 does.
size_t DecodeRune(std::string_view s, size_t i, char32_t* out) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  const size_t left = s.size() - i;
  const uint8_t c = b(0);
  if (c < 0x80) {
    *out = c;
    return 1;
  }
  size_t n;
  char32_t r;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    n = 2, r = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, r = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, r = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (left < n) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    r = (r << 6) | (b(k) & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *out = r;
  return n;
}

// Go's unicode.IsSpace.
bool IsUnicodeSpace(char32_t r) {
  switch (r) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F:
    case 0x205F: case 0x3000:
      return true;
    default:
      return r >= 0x2000 && r <= 0x200A;
  }
}

// docs/spec.md §7.4: valid UTF-8 and no control character other than "\n".
bool IsNoteTextClean(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    const size_t n = DecodeRune(s, i, &r);
    if (n == 0 || (r < 0x20 && r != '\n')) return false;
    i += n;
  }
  return true;
}

// A single line of note text: non-empty, clean, no "\n".
bool IsValidLine(std::string_view s) {
  return !s.empty() && s.find('\n') == std::string_view::npos && IsNoteTextClean(s);
}

std::array<uint8_t, 4> U32Bytes(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// Canonical decimal: digits only, no leading zero unless the number is 0, at most 2^63 - 1.
std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > kMaxInt63) return std::nullopt;
  return v;
}

// C2SP tlog-cosignature "Ed25519 signed message":
// "cosignature/v1\n" ‖ "time " ‖ decimal(timestamp) ‖ "\n" ‖ checkpoint text.
std::string CosignedMessage(std::string_view text, uint64_t timestamp) {
  std::string m(kCosignatureHeader);
  m += "time ";
  m += std::to_string(timestamp);
  m += "\n";
  m += text;
  return m;
}

bool Ed25519Verify(const std::array<uint8_t, 32>& pk, ByteView sig, std::string_view msg) {
  // docs/spec.md §7.4: §1.2's rule, which accepts every signature the Go note verifier does.
  return VerifySignature(pk, ByteView(reinterpret_cast<const uint8_t*>(msg.data()), msg.size()),
                         sig)
      .ok();
}

// Verifies one signature line against its key; fills the timestamp of a cosignature.
bool VerifyLine(const VerifierKey& key, const NoteSignature& sig, std::string_view text,
                std::optional<uint64_t>* timestamp) {
  switch (key.type()) {
    case kTypeEd25519:
      return Ed25519Verify(key.public_key(), sig.signature, text);
    case kTypeCosignatureV1: {
      // timestamped_signature: u64 timestamp ‖ Ed25519 signature (64 bytes).
      if (sig.signature.size() != 8 + crypto_sign_BYTES) return false;
      uint64_t ts = 0;
      for (int i = 0; i < 8; ++i) ts = (ts << 8) | sig.signature[i];
      if (ts > kMaxInt63) return false;
      if (!Ed25519Verify(key.public_key(), ByteView(sig.signature).subspan(8),
                         CosignedMessage(text, ts))) {
        return false;
      }
      *timestamp = ts;
      return true;
    }
    default:
      return false;
  }
}

std::string SignatureLine(const NoteSignature& sig) {
  const auto id = U32Bytes(sig.key_id);
  Bytes payload(id.begin(), id.end());
  payload.insert(payload.end(), sig.signature.begin(), sig.signature.end());
  std::string line(kSigPrefix);
  line += sig.name;
  line += " ";
  line += ToBase64(payload);
  line += "\n";
  return line;
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size();) {
    char32_t r;
    const size_t n = DecodeRune(name, i, &r);
    if (n == 0 || r == '+' || IsUnicodeSpace(r)) return false;
    i += n;
  }
  return true;
}

uint32_t KeyId(std::string_view name, uint8_t type, ByteView public_key) {
  const uint8_t sep[2] = {'\n', type};
  const Sha256Digest digest =
      Sha256()
          .Update(ByteView(reinterpret_cast<const uint8_t*>(name.data()), name.size()))
          .Update(ByteView(sep, 2))
          .Update(public_key)
          .Final();
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) |
         (uint32_t{digest[2]} << 8) | uint32_t{digest[3]};
}

Result<VerifierKey> VerifierKey::Create(std::string_view name, uint8_t type,
                                        ByteView public_key) {
  if (!IsValidKeyName(name)) return InvalidArgument("invalid key name");
  if (type != kTypeEd25519 && type != kTypeCosignatureV1) {
    return InvalidArgument("unsupported signature type");
  }
  if (public_key.size() != 32) return InvalidArgument("public key is not 32 bytes");
  VerifierKey k;
  k.name_ = std::string(name);
  k.type_ = type;
  std::copy(public_key.begin(), public_key.end(), k.public_key_.begin());
  k.key_id_ = KeyId(name, type, public_key);
  return k;
}

Result<VerifierKey> VerifierKey::Parse(std::string_view text) {
  // docs/spec.md §7.5: name "+" hex8 "+" base64(type ‖ key); the name has no '+'.
  const size_t p1 = text.find('+');
  if (p1 == std::string_view::npos) return Malformed("verifier key: missing '+'");
  const size_t p2 = text.find('+', p1 + 1);
  if (p2 == std::string_view::npos) return Malformed("verifier key: missing '+'");
  const std::string_view name = text.substr(0, p1);
  const std::string_view hex = text.substr(p1 + 1, p2 - p1 - 1);
  const std::string_view b64 = text.substr(p2 + 1);
  if (!IsValidKeyName(name)) return Malformed("verifier key: invalid name");
  if (hex.size() != 8 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return Malformed("verifier key: key ID is not 8 lower-case hex digits");
  }
  auto key = FromBase64(b64);
  if (!key.ok()) return Malformed("verifier key: bad base64");
  if (key->size() != 33) return Malformed("verifier key: wrong key length");
  auto k = Create(name, (*key)[0], ByteView(*key).subspan(1));
  if (!k.ok()) return Malformed("verifier key: unsupported signature type");
  if (ToHex(U32Bytes(k->key_id())) != hex) return Malformed("verifier key: key ID mismatch");
  return k;
}

std::string VerifierKey::ToString() const {
  Bytes key;
  key.push_back(type_);
  key.insert(key.end(), public_key_.begin(), public_key_.end());
  return name_ + "+" + ToHex(U32Bytes(key_id_)) + "+" + ToBase64(key);
}

Result<Signer> Signer::Create(std::string_view name, uint8_t type, const SecretBytes& seed) {
  EnsureSodium();
  if (seed.size() != crypto_sign_SEEDBYTES) return InvalidArgument("seed is not 32 bytes");
  SecretBytes sk(crypto_sign_SECRETKEYBYTES);
  std::array<uint8_t, 32> pk;
  crypto_sign_seed_keypair(pk.data(), sk.RevealMutable().data(), seed.Reveal().data());
  AMANAH_ASSIGN_OR_RETURN(VerifierKey vkey, VerifierKey::Create(name, type, pk));
  return Signer(std::move(vkey), std::move(sk));
}

std::array<uint8_t, 64> Signer::SignRaw(ByteView message) const {
  std::array<uint8_t, 64> sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(),
                       secret_key_.Reveal().data());
  return sig;
}

Result<Note> ParseNote(std::string_view message) {
  // C2SP signed-note §Format; the checks and their order follow x/mod/sumdb/note.Open.
  if (!IsNoteTextClean(message)) return Malformed("note: not UTF-8 or has control characters");
  const size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) return Malformed("note: no blank line");
  Note note;
  note.text = std::string(message.substr(0, split + 1));
  std::string_view sigs = message.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return Malformed("note: no signature lines");
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');
    std::string_view line = sigs.substr(0, nl);
    sigs.remove_prefix(nl + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return Malformed("note: signature line does not start with an em dash");
    }
    line.remove_prefix(kSigPrefix.size());
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return Malformed("note: signature line has no space");
    const std::string_view name = line.substr(0, sp);
    const std::string_view b64 = line.substr(sp + 1);
    if (!IsValidKeyName(name)) return Malformed("note: invalid key name");
    auto bytes = FromBase64(b64);
    if (b64.empty() || !bytes.ok() || bytes->size() < 5) {
      return Malformed("note: bad signature encoding");
    }
    if (note.signatures.size() == kMaxSignatures) return Malformed("note: too many signatures");
    NoteSignature sig;
    sig.name = std::string(name);
    sig.key_id = (uint32_t{(*bytes)[0]} << 24) | (uint32_t{(*bytes)[1]} << 16) |
                 (uint32_t{(*bytes)[2]} << 8) | uint32_t{(*bytes)[3]};
    sig.signature.assign(bytes->begin() + 4, bytes->end());
    note.signatures.push_back(std::move(sig));
  }
  return note;
}

std::string FormatNote(const Note& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& sig : note.signatures) out += SignatureLine(sig);
  return out;
}

Result<OpenedNote> OpenNote(std::string_view message, std::span<const VerifierKey> known) {
  EnsureSodium();
  for (size_t i = 0; i < known.size(); ++i) {
    for (size_t j = i + 1; j < known.size(); ++j) {
      if (known[i].name() == known[j].name() && known[i].key_id() == known[j].key_id()) {
        return InvalidArgument("two known keys share a name and key ID");
      }
    }
  }
  AMANAH_ASSIGN_OR_RETURN(Note note, ParseNote(message));
  OpenedNote opened;
  opened.text = note.text;
  for (const NoteSignature& sig : note.signatures) {
    auto key = std::find_if(known.begin(), known.end(), [&](const VerifierKey& k) {
      return k.name() == sig.name && k.key_id() == sig.key_id;
    });
    if (key == known.end()) continue;  // unknown keys are ignored (C2SP signed-note)
    std::optional<uint64_t> ts;
    if (!VerifyLine(*key, sig, note.text, &ts)) {
      return VerifyFailed("note: signature by " + key->name() + " does not verify");
    }
    const bool seen = std::any_of(opened.verified.begin(), opened.verified.end(),
                                  [&](const VerifiedSignature& v) { return v.key == *key; });
    if (!seen) opened.verified.push_back({*key, ts});
  }
  if (opened.verified.empty()) return VerifyFailed("note: no signature by a known key");
  return opened;
}

Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  if (!IsValidLine(checkpoint.origin)) return InvalidArgument("checkpoint: invalid origin");
  if (checkpoint.size > kMaxInt63) return InvalidArgument("checkpoint: size too large");
  std::string text = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                     ToBase64(checkpoint.root) + "\n";
  for (const std::string& ext : checkpoint.extensions) {
    if (!IsValidLine(ext)) return InvalidArgument("checkpoint: invalid extension line");
    text += ext + "\n";
  }
  return text;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  // C2SP tlog-checkpoint §"Note text", docs/spec.md §7.6.
  if (text.empty() || text.back() != '\n') return Malformed("checkpoint: no final newline");
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest.remove_prefix(nl + 1);
  }
  if (lines.size() < 3) return Malformed("checkpoint: fewer than three lines");
  for (std::string_view line : lines) {
    if (!IsValidLine(line)) return Malformed("checkpoint: empty or invalid line");
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  const auto size = ParseDecimal(lines[1]);
  if (!size) return Malformed("checkpoint: tree size is not canonical decimal");
  cp.size = *size;
  auto root = FromBase64(lines[2]);
  if (!root.ok() || root->size() != merkle::kHashSize) {
    return Malformed("checkpoint: root hash is not 32 bytes of base64");
  }
  std::copy(root->begin(), root->end(), cp.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) cp.extensions.emplace_back(lines[i]);
  return cp;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const Signer& log) {
  if (log.verifier_key().type() != kTypeEd25519) {
    return InvalidArgument("checkpoint: the log signs with a type 0x01 key");
  }
  AMANAH_ASSIGN_OR_RETURN(std::string text, FormatCheckpoint(checkpoint));
  NoteSignature sig;
  sig.name = log.verifier_key().name();
  sig.key_id = log.verifier_key().key_id();
  const auto raw = log.SignRaw(AsBytes(text));
  sig.signature.assign(raw.begin(), raw.end());
  return FormatNote(Note{text, {sig}});
}

Result<std::string> Cosign(std::string_view signed_checkpoint, const Signer& cosigner,
                           uint64_t timestamp) {
  if (cosigner.verifier_key().type() != kTypeCosignatureV1) {
    return InvalidArgument("cosign: the cosigner signs with a type 0x04 key");
  }
  if (timestamp > kMaxInt63) return InvalidArgument("cosign: timestamp too large");
  AMANAH_ASSIGN_OR_RETURN(Note note, ParseNote(signed_checkpoint));
  if (note.signatures.size() == kMaxSignatures) return Malformed("note: too many signatures");
  NoteSignature sig;
  sig.name = cosigner.verifier_key().name();
  sig.key_id = cosigner.verifier_key().key_id();
  ByteWriter w;
  w.U64(timestamp);
  w.Raw(cosigner.SignRaw(AsBytes(CosignedMessage(note.text, timestamp))));
  sig.signature = w.Take();
  note.signatures.push_back(std::move(sig));
  return FormatNote(note);
}

Result<VerifiedCheckpoint> OpenCheckpoint(std::string_view signed_checkpoint,
                                          std::string_view origin, const VerifierKey& log_key,
                                          std::span<const VerifierKey> cosigners) {
  if (log_key.type() != kTypeEd25519) return InvalidArgument("log key is not type 0x01");
  std::vector<VerifierKey> known = {log_key};
  for (const VerifierKey& k : cosigners) {
    if (k.type() != kTypeCosignatureV1) return InvalidArgument("cosigner key is not type 0x04");
    known.push_back(k);
  }
  AMANAH_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(signed_checkpoint, known));
  VerifiedCheckpoint out;
  bool log_signed = false;
  for (const VerifiedSignature& v : opened.verified) {
    if (v.key == log_key) {
      log_signed = true;
    } else {
      out.cosignatures.push_back({v.key, v.timestamp.value_or(0)});
    }
  }
  if (!log_signed) return VerifyFailed("checkpoint: no signature by the log");
  AMANAH_ASSIGN_OR_RETURN(out.checkpoint, ParseCheckpoint(opened.text));
  if (out.checkpoint.origin != origin) return VerifyFailed("checkpoint: unexpected origin");
  return out;
}

}  // namespace amanah::note
