// Vectors for docs/spec.md §3 (user keys). Random draws come from SeededRandom("keys") and are
// recorded in the files. Intermediate values (fingerprint input, Argon2id key, header,
// ciphertext) are recomputed here with libsodium directly, and the generator aborts if the
// library disagrees.
#include <sodium.h>

#include <cstdlib>
#include <iostream>

#include "amanah/bytes.h"
#include "amanah/keys.h"
#include "vectorgen.h"

namespace amanah::vectorgen {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void Die(const char* what) {
  std::cerr << "gen_keys: " << what << "\n";
  std::abort();
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(what);
  return std::move(r).value();
}

void MustCode(const Status& s, Code code, const char* what) {
  if (s.code() != code) Die(what);
}

json Doc(std::string description, std::string expect) {
  return json{{"description", std::move(description)}, {"expect", std::move(expect)}};
}

// Replays recorded bytes as a RandomSource, to show that the recorded draws are all there is.
class Replay final : public RandomSource {
 public:
  explicit Replay(std::vector<Bytes> draws) : draws_(std::move(draws)) {}
  void Fill(std::span<uint8_t> out) override {
    if (next_ >= draws_.size() || draws_[next_].size() != out.size()) Die("replay mismatch");
    std::copy(draws_[next_].begin(), draws_[next_].end(), out.begin());
    ++next_;
  }

 private:
  std::vector<Bytes> draws_;
  size_t next_ = 0;
};

// JSON strings hold only UTF-8; other texts go into the vectors as hex ("file_hex").
bool IsUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint8_t b = static_cast<uint8_t>(s[i]);
    size_t n = b < 0x80             ? 0
               : (b & 0xE0) == 0xC0 ? 1
               : (b & 0xF0) == 0xE0 ? 2
               : (b & 0xF8) == 0xF0 ? 3
                                    : 9;
    if (n == 9 || s.size() - i - 1 < n) return false;
    uint32_t cp = n == 0 ? b : b & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) {
      uint8_t c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

json FileCase(std::string_view text) {
  if (IsUtf8(text)) return json{{"file", text}};
  return json{{"file_hex", ToHex(AsBytes(text))}};
}

Bytes Draw(RandomSource& rng, size_t n) {
  Bytes b(n);
  rng.Fill(b);
  return b;
}

SecretBytes Passphrase(std::string_view s) { return SecretBytes::CopyFrom(AsBytes(s)); }

std::string Armour(ByteView blob) {
  std::string b64 = ToBase64(blob);
  std::string out = "-----BEGIN AMANAH SECRET KEY-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END AMANAH SECRET KEY-----\n";
}

Bytes Argon2id(std::string_view pw, ByteView salt, uint32_t ops, uint32_t mem_kib) {
  Bytes key(32);
  if (crypto_pwhash(key.data(), key.size(), pw.data(), pw.size(), salt.data(), ops,
                    size_t{mem_kib} * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    Die("argon2id");
  }
  return key;
}

Bytes Header(Role role, std::string_view label, uint32_t ops, uint32_t mem, ByteView salt,
             ByteView nonce) {
  return ByteWriter()
      .Raw("AMANAHSK")
      .U8(1)
      .U8(static_cast<uint8_t>(role))
      .LP(label)
      .U32(ops)
      .U32(mem)
      .Raw(salt)
      .Raw(nonce)
      .Take();
}

Bytes Aead(ByteView key, ByteView nonce, ByteView ad, ByteView m) {
  Bytes c(m.size() + 16);
  crypto_aead_xchacha20poly1305_ietf_encrypt(c.data(), nullptr, m.data(), m.size(), ad.data(),
                                             ad.size(), nullptr, nonce.data(), key.data());
  return c;
}

Bytes Concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

json PublicJson(const PublicKey& k) {
  return json{{"role", RoleName(k.role)},
              {"role_byte", static_cast<int>(k.role)},
              {"label", k.label},
              {"sign_public", ToHex(k.sign)},
              {"enc_public", ToHex(k.enc)},
              {"fingerprint_bytes", ToHex(k.FingerprintBytes())},
              {"fingerprint", k.Fingerprint()}};
}

// One key pair from recorded draws: 32-byte seed, 64 bytes for the scalar.
struct Generated {
  Bytes seed, wide;
  SecretKey key;
};

Generated Gen(RandomSource& rng, Role role, std::string_view label) {
  Bytes seed = Draw(rng, 32), wide = Draw(rng, 64);
  Replay replay({seed, wide});
  SecretKey key = Must(GenerateKey(role, label, replay), "generate");
  return {seed, wide, std::move(key)};
}

// An Ed25519 signature made by hand (RFC 8032 §5.1.6 with any R bytes and nonce r): S = r + k·a
// with k = SHA512(R ‖ A ‖ M) mod L and a the seed's secret scalar (§5.1.5). For vectors whose R
// an honest signer would never produce. The secret scalar is wiped.
Bytes SignWithR(const Bytes& seed, const Key32& pub, ByteView r_bytes, const uint8_t r[32],
                ByteView message) {
  uint8_t h[64];
  crypto_hash_sha512(h, seed.data(), seed.size());
  h[0] &= 248, h[31] &= 127, h[31] |= 64;
  uint8_t a_wide[64] = {0}, a[32];
  std::copy(h, h + 32, a_wide);
  crypto_core_ed25519_scalar_reduce(a, a_wide);
  Bytes k_input = Concat(r_bytes, pub);
  k_input.insert(k_input.end(), message.begin(), message.end());
  uint8_t k_wide[64], k[32], ka[32], s[32];
  crypto_hash_sha512(k_wide, k_input.data(), k_input.size());
  crypto_core_ed25519_scalar_reduce(k, k_wide);
  crypto_core_ed25519_scalar_mul(ka, k, a);
  crypto_core_ed25519_scalar_add(s, r, ka);
  sodium_memzero(h, sizeof h);
  sodium_memzero(a_wide, sizeof a_wide);
  sodium_memzero(a, sizeof a);
  sodium_memzero(ka, sizeof ka);
  return Concat(r_bytes, ByteView(s, 32));
}

// Replaces the line starting with `prefix` by `replacement` (whole line, no LF).
std::string ReplaceLine(std::string text, std::string_view prefix, std::string_view line) {
  size_t at = text.find(std::string("\n") + std::string(prefix));
  if (at == std::string::npos) Die("no such line");
  size_t end = text.find('\n', at + 1);
  return text.replace(at + 1, end - at - 1, line);
}

}  // namespace

std::vector<VectorFile> GenerateKeyVectors() {
  EnsureSodium();
  std::vector<VectorFile> out;
  DeterministicRandom rng = SeededRandom("keys");

  // An Arabic label ("Press desk 3"), to exercise UTF-8 throughout.
  const std::string label =
      "\xD9\x85\xD9\x83\xD8\xAA\xD8\xA8 \xD8\xA7\xD9\x84\xD8\xB5\xD8\xAD"
      "\xD8\xA7\xD9\x81\xD8\xA9 3";
  Generated g = Gen(rng, Role::kCustodian, label);
  const PublicKey& pub = g.key.pub;

  {  // §3.1
    json j = Doc(
        "GenerateKey: sign_seed = the first 32 random bytes; enc_scalar = ReduceScalar(the next "
        "64); sign_public = Ed25519 public key of sign_seed; enc_public = enc_scalar·B.",
        "ok");
    j["sign_seed"] = ToHex(g.seed);
    j["enc_wide"] = ToHex(g.wide);
    j["enc_scalar"] = ToHex(g.key.enc.Reveal());
    j.update(PublicJson(pub));
    out.push_back({"key-generate.json", j});
  }

  {  // §3.3
    json j =
        Doc("Fingerprint = SHA256(LP(\"amanah/v1/key-fingerprint\") ‖ u8(role) ‖ sign ‖ enc)[0:10] "
            "as 16 Crockford base32 symbols; the role is bound, the label is not.",
            "ok");
    json cases = json::array();
    for (Role role : {Role::kCustodian, Role::kOfficial}) {
      PublicKey k = pub;
      k.role = role;
      Bytes input = ByteWriter()
                        .LP("amanah/v1/key-fingerprint")
                        .U8(static_cast<uint8_t>(role))
                        .Raw(k.sign)
                        .Raw(k.enc)
                        .Take();
      Bytes digest(32);
      crypto_hash_sha256(digest.data(), input.data(), input.size());
      if (ToHex(ByteView(digest).first(10)) != ToHex(k.FingerprintBytes())) Die("fingerprint");
      cases.push_back(json{{"role", RoleName(role)},
                           {"sign_public", ToHex(k.sign)},
                           {"enc_public", ToHex(k.enc)},
                           {"fingerprint_input", ToHex(input)},
                           {"sha256", ToHex(digest)},
                           {"fingerprint_bytes", ToHex(k.FingerprintBytes())},
                           {"fingerprint", k.Fingerprint()}});
    }
    j["cases"] = cases;
    out.push_back({"key-fingerprint.json", j});
  }

  const std::string pub_text = FormatPublicKey(pub);
  {  // §3.2
    json j = Doc("A public key file.", "ok");
    j.update(PublicJson(pub));
    j["sign_base64"] = ToBase64(pub.sign);
    j["enc_base64"] = ToBase64(pub.enc);
    j["file"] = pub_text;
    if (!(Must(ParsePublicKey(pub_text), "parse public") == pub)) Die("public round trip");
    out.push_back({"key-public-file.json", j});
  }

  auto crlf = [](std::string_view s) {
    std::string o;
    for (char c : s) {
      if (c == '\n') o += '\r';
      o += c;
    }
    return o;
  };
  auto chop = [](std::string s, size_t n) { return s.substr(0, s.size() - n); };

  {
    json j =
        Doc("The same public key file with CRLF line endings and/or without the final line "
            "terminator (as pasted from a messenger): each parses to the key of key-public-file.",
            "ok");
    j.update(PublicJson(pub));
    json cases = json::array();
    for (const std::string& t : {crlf(pub_text), chop(pub_text, 1), chop(crlf(pub_text), 2)}) {
      if (!(Must(ParsePublicKey(t), "line endings") == pub)) Die("line endings");
      cases.push_back(json{{"file", t}});
    }
    j["cases"] = cases;
    out.push_back({"key-public-file-line-endings.json", j});
  }

  {
    json j = Doc(
        "A public key file whose canonical fingerprint line does not match its keys (one symbol "
        "changed; the fingerprint of the same keys under another role).",
        "verify_failed");
    json cases = json::array();
    std::string fp = pub.Fingerprint();
    std::string fp2 = fp;
    fp2[0] = fp2[0] == 'Z' ? 'Y' : 'Z';
    PublicKey other = pub;
    other.role = Role::kOfficial;
    for (const std::string& f : {fp2, other.Fingerprint()}) {
      std::string t = ReplaceLine(pub_text, "fingerprint: ", "fingerprint: " + f);
      MustCode(ParsePublicKey(t).status(), Code::kVerifyFailed, "bad fingerprint");
      cases.push_back(json{{"file", t}});
    }
    j["cases"] = cases;
    out.push_back({"key-public-file-bad-fingerprint.json", j});
  }

  // Public key files broken in one way each; the fingerprint line is recomputed whenever the
  // keys change, so that only the named defect is wrong.
  auto with_keys = [&](const std::string& sign_line, const std::string& enc_line, Key32 sign,
                       Key32 enc, Role role) {
    PublicKey k = pub;
    k.sign = sign;
    k.enc = enc;
    k.role = role;
    std::string t = ReplaceLine(pub_text, "sign: ", sign_line);
    t = ReplaceLine(t, "enc: ", enc_line);
    return ReplaceLine(t, "fingerprint: ", "fingerprint: " + k.Fingerprint());
  };
  auto key32 = [](std::string_view hex) {
    Bytes b = FromHex(hex).value();
    Key32 k;
    std::copy(b.begin(), b.end(), k.begin());
    return k;
  };
  auto malformed_file = [&](std::string name, std::string description,
                            std::vector<std::pair<std::string, std::string>> cases_in) {
    json j = Doc(std::move(description), "malformed");
    json cases = json::array();
    for (auto& [why, t] : cases_in) {
      MustCode(ParsePublicKey(t).status(), Code::kMalformed, "malformed public file");
      json c{{"defect", why}};
      c.update(FileCase(t));
      cases.push_back(c);
    }
    j["cases"] = cases;
    out.push_back({std::move(name), j});
  };

  {
    const std::string sign_line = "sign: " + ToBase64(pub.sign);
    std::vector<std::pair<std::string, std::string>> cases;
    Key32 identity{};
    Key32 negative = key32("0100000000000000000000000000000000000000000000000000000000000000");
    Key32 noncanonical = key32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    Key32 not_on_curve = pub.enc;  // a valid element...
    not_on_curve[0] ^= 0x02;       // ... made invalid (checked below)
    if (crypto_core_ristretto255_is_valid_point(not_on_curve.data())) Die("still valid");
    for (auto& [why, k] : std::vector<std::pair<std::string, Key32>>{
             {"enc is the identity (all zero)", identity},
             {"enc is a negative field element", negative},
             {"enc is not canonical (>= p)", noncanonical},
             {"enc does not decode to a group element", not_on_curve}}) {
      cases.push_back({why, with_keys(sign_line, "enc: " + ToBase64(k), pub.sign, k, pub.role)});
    }
    malformed_file("key-public-file-bad-enc.json",
                   "Public key files whose enc is not a valid, non-identity ristretto255 "
                   "element (RFC 9496 decoding); fingerprints computed over the bad bytes.",
                   cases);
  }

  {
    const std::string enc_line = "enc: " + ToBase64(pub.enc);
    std::vector<std::pair<std::string, std::string>> cases;
    Key32 small_order = key32("0100000000000000000000000000000000000000000000000000000000000000");
    Key32 noncanonical = key32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    Key32 zero{};
    for (auto& [why, k] : std::vector<std::pair<std::string, Key32>>{
             {"sign is the neutral point (small order)", small_order},
             {"sign is not a canonical encoding", noncanonical},
             {"sign is all zero (small order)", zero}}) {
      cases.push_back({why, with_keys("sign: " + ToBase64(k), enc_line, k, pub.enc, pub.role)});
    }
    malformed_file("key-public-file-bad-sign.json",
                   "Public key files whose sign is not a valid Ed25519 public key (non-canonical, "
                   "small order or outside the prime-order subgroup).",
                   cases);
  }

  {
    std::vector<std::pair<std::string, std::string>> cases;
    std::string b64 = ToBase64(pub.sign);  // 44 symbols, one '='
    std::string bad_bits = b64;
    // The last symbol before '=' carries 2 unused bits; set one.
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t idx = alphabet.find(bad_bits[42]);
    bad_bits[42] = alphabet[idx ^ 1];
    cases.push_back(
        {"non-zero unused bits in base64", ReplaceLine(pub_text, "sign: ", "sign: " + bad_bits)});
    cases.push_back(
        {"base64 without padding", ReplaceLine(pub_text, "sign: ", "sign: " + b64.substr(0, 43))});
    cases.push_back({"base64 url alphabet", ReplaceLine(pub_text, "enc: ", [&] {
                       std::string s = "enc: " + ToBase64(pub.enc);
                       for (char& c : s) {
                         if (c == '+') c = '-';
                         if (c == '/') c = '_';
                       }
                       return s;
                     }())});
    cases.push_back(
        {"key of 31 bytes",
         ReplaceLine(pub_text, "sign: ", "sign: " + ToBase64(ByteView(pub.sign).first(31)))});
    cases.push_back(
        {"key of 33 bytes",
         ReplaceLine(pub_text, "enc: ", "enc: " + ToBase64(Concat(pub.enc, Bytes{0})))});
    malformed_file("key-public-file-bad-base64.json",
                   "Public key files with non-canonical base64 or keys of the wrong length.",
                   cases);
  }

  {
    auto lines = [&] {
      std::vector<std::string> v;
      size_t s = 0;
      while (s < pub_text.size()) {
        size_t e = pub_text.find('\n', s);
        v.push_back(pub_text.substr(s, e - s));
        s = e + 1;
      }
      return v;
    }();
    auto join = [](const std::vector<std::string>& v) {
      std::string o;
      for (const auto& l : v) o += l + "\n";
      return o;
    };
    std::vector<std::pair<std::string, std::string>> cases;
    auto edit = [&](std::string why, auto f) {
      std::vector<std::string> v = lines;
      f(v);
      cases.push_back({std::move(why), join(v)});
    };
    edit("unknown first line", [](auto& v) { v[0] = "amanah public key v2"; });
    edit("unknown line added", [](auto& v) { v.insert(v.begin() + 3, "comment: hello"); });
    edit("duplicate line", [](auto& v) { v.insert(v.begin() + 2, v[1]); });
    edit("missing line", [](auto& v) { v.erase(v.begin() + 2); });
    edit("lines out of order", [](auto& v) { std::swap(v[3], v[4]); });
    edit("blank line at the end", [](auto& v) { v.push_back(""); });
    edit("trailing space", [](auto& v) { v[1] += " "; });
    edit("no space after colon", [](auto& v) { v[1] = "role:custodian"; });
    edit("upper-case key", [](auto& v) { v[1] = "Role: custodian"; });
    edit("unknown role", [](auto& v) { v[1] = "role: admin"; });
    edit("upper-case role", [](auto& v) { v[1] = "role: Custodian"; });
    edit("fingerprint in lower case", [](auto& v) {
      for (char& c : v[5]) c = static_cast<char>(std::tolower(c));
      v[5].replace(0, 12, "fingerprint:");
    });
    edit("fingerprint without hyphens", [](auto& v) { std::erase(v[5], '-'); });
    cases.push_back({"mixed line endings", [&] {
                       std::string t = pub_text;
                       t.insert(t.find('\n'), "\r");
                       return t;
                     }()});
    cases.push_back({"bare CR line endings", [&] {
                       std::string t = pub_text;
                       std::replace(t.begin(), t.end(), '\n', '\r');
                       return t;
                     }()});
    cases.push_back({"empty file", ""});
    malformed_file("key-public-file-bad-structure.json",
                   "Public key files with unknown, duplicate, missing or reordered lines, or "
                   "bad line endings.",
                   cases);
  }

  {
    std::vector<std::pair<std::string, std::string>> cases;
    for (auto& [why, l] :
         std::vector<std::pair<std::string, std::string>>{{"empty label", ""},
                                                          {"65 bytes", std::string(65, 'a')},
                                                          {"tab", "a\tb"},
                                                          {"DEL",
                                                           "a\x7f"
                                                           "b"},
                                                          {"C1 control U+0085",
                                                           "a\xC2\x85"
                                                           "b"},
                                                          {"right-to-left override U+202E",
                                                           "a\xE2\x80\xAE"
                                                           "b"},
                                                          {"invalid UTF-8",
                                                           "a\xFF"
                                                           "b"},
                                                          {"overlong UTF-8",
                                                           "a\xC0\xAF"
                                                           "b"},
                                                          {"UTF-16 surrogate",
                                                           "a\xED\xA0\x80"
                                                           "b"},
                                                          {"leading space", " ab"},
                                                          {"trailing space", "ab "}}) {
      if (IsValidLabel(l)) Die("label should be invalid");
      cases.push_back({why, ReplaceLine(pub_text, "label: ", "label: " + l)});
    }
    malformed_file("key-public-file-bad-label.json", "Public key files whose label breaks §3.1.",
                   cases);
  }

  // §3.4 secret key file.
  const std::string passphrase = "correct horse \xD8\xB3\xD8\xB1 battery";
  const uint32_t ops = 2, mem = 1024;
  Bytes salt = Draw(rng, 16), nonce = Draw(rng, 24);
  Bytes argon_key = Argon2id(passphrase, salt, ops, mem);
  Bytes header = Header(pub.role, pub.label, ops, mem, salt, nonce);
  Bytes plaintext = Concat(g.key.sign_seed.Reveal(), g.key.enc.Reveal());
  Bytes ciphertext = Aead(argon_key, nonce, header, plaintext);
  Bytes blob = Concat(header, ciphertext);
  std::string secret_text;
  {
    Replay replay({salt, nonce});
    secret_text = Must(SealSecretKey(g.key, Passphrase(passphrase), {ops, mem}, replay), "seal");
    if (secret_text != Armour(blob)) Die("seal disagrees");
    SecretKey opened = Must(OpenSecretKey(secret_text, Passphrase(passphrase)), "open");
    if (!(opened.pub == pub)) Die("open round trip");
    json j =
        Doc("A secret key file: key = Argon2id(passphrase, salt, ops, mem_kib); ciphertext = "
            "AEAD(key, nonce, header, sign_seed ‖ enc_scalar), header = every byte before the "
            "ciphertext; file = armour(base64(header ‖ ciphertext)). Salt then nonce are the "
            "random draws.",
            "ok");
    j["passphrase"] = passphrase;
    j["passphrase_hex"] = ToHex(AsBytes(passphrase));
    j["sign_seed"] = ToHex(g.key.sign_seed.Reveal());
    j["enc_scalar"] = ToHex(g.key.enc.Reveal());
    j.update(PublicJson(pub));
    j["ops"] = ops;
    j["mem_kib"] = mem;
    j["salt"] = ToHex(salt);
    j["nonce"] = ToHex(nonce);
    j["argon2id_key"] = ToHex(argon_key);
    j["header"] = ToHex(header);
    j["plaintext"] = ToHex(plaintext);
    j["ciphertext"] = ToHex(ciphertext);
    j["blob"] = ToHex(blob);
    j["file"] = secret_text;
    out.push_back({"key-secret-file.json", j});
  }

  {
    json j =
        Doc("The file of key-secret-file.json opened with another passphrase.", "verify_failed");
    j["passphrase"] = passphrase + " ";
    j["file"] = secret_text;
    MustCode(OpenSecretKey(secret_text, Passphrase(passphrase + " ")).status(), Code::kVerifyFailed,
             "wrong passphrase");
    out.push_back({"key-secret-file-wrong-passphrase.json", j});
  }

  {
    json j =
        Doc("The file of key-secret-file.json with one bit flipped (XOR 0x01) in the blob at "
            "`offset`, in each field the AEAD binds; every case still parses.",
            "verify_failed");
    j["passphrase"] = passphrase;
    const size_t label_at = 8 + 1 + 1 + 2;
    const size_t ops_at = label_at + pub.label.size();
    const size_t salt_at = ops_at + 8;
    const size_t nonce_at = salt_at + 16;
    const size_t ct_at = nonce_at + 24;
    json cases = json::array();
    for (auto& [field, offset] :
         std::vector<std::pair<std::string, size_t>>{{"role", 9},
                                                     {"label", label_at + pub.label.size() - 1},
                                                     {"ops", ops_at + 3},
                                                     {"mem_kib", ops_at + 7},
                                                     {"salt", salt_at},
                                                     {"nonce", nonce_at + 23},
                                                     {"ciphertext", ct_at},
                                                     {"tag", blob.size() - 1}}) {
      Bytes b = blob;
      b[offset] ^= 0x01;
      std::string t = Armour(b);
      MustCode(OpenSecretKey(t, Passphrase(passphrase)).status(), Code::kVerifyFailed,
               "flipped byte");
      cases.push_back(json{{"field", field}, {"offset", offset}, {"file", t}});
    }
    j["cases"] = cases;
    out.push_back({"key-secret-file-flipped-byte.json", j});
  }

  auto secret_malformed = [&](std::string name, std::string description,
                              std::vector<std::pair<std::string, std::string>> cases_in) {
    json j = Doc(std::move(description), "malformed");
    j["passphrase"] = passphrase;
    json cases = json::array();
    for (auto& [why, t] : cases_in) {
      MustCode(OpenSecretKey(t, Passphrase(passphrase)).status(), Code::kMalformed,
               "malformed secret file");
      cases.push_back(json{{"defect", why}, {"file", t}});
    }
    j["cases"] = cases;
    out.push_back({std::move(name), j});
  };

  {
    std::vector<std::pair<std::string, std::string>> cases;
    cases.push_back({"blob without its last byte", Armour(ByteView(blob).first(blob.size() - 1))});
    cases.push_back({"header only", Armour(header)});
    cases.push_back({"blob with one trailing byte", Armour(Concat(blob, Bytes{0}))});
    cases.push_back({"no END line", secret_text.substr(0, secret_text.find("-----END"))});
    cases.push_back({"no body",
                     "-----BEGIN AMANAH SECRET KEY-----\n"
                     "-----END AMANAH SECRET KEY-----\n"});
    cases.push_back({"empty file", ""});
    secret_malformed("key-secret-file-truncated.json",
                     "Secret key files cut short or with bytes left over.", cases);
  }

  {
    std::vector<std::pair<std::string, std::string>> cases;
    for (auto& [why, o, m] : std::vector<std::tuple<std::string, uint32_t, uint32_t>>{
             {"ops 0", 0, 1024},
             {"ops 11", 11, 1024},
             {"ops 2^32-1", 0xffffffff, 1024},
             {"mem_kib 7", 2, 7},
             {"mem_kib 4194305 (4 GiB + 1 KiB)", 2, 4194305},
             {"mem_kib 2^32-1", 2, 0xffffffff}}) {
      Bytes h = Header(pub.role, pub.label, o, m, salt, nonce);
      cases.push_back({why, Armour(Concat(h, ciphertext))});
    }
    secret_malformed("key-secret-file-bad-kdf-params.json",
                     "Secret key files whose Argon2id parameters are out of bounds: rejected "
                     "before Argon2id runs.",
                     cases);
  }

  {
    std::vector<std::pair<std::string, std::string>> cases;
    std::string b64 = ToBase64(blob);
    auto wrap = [&](size_t cols) {
      std::string o = "-----BEGIN AMANAH SECRET KEY-----\n";
      for (size_t i = 0; i < b64.size(); i += cols) o += b64.substr(i, cols) + "\n";
      return o + "-----END AMANAH SECRET KEY-----\n";
    };
    cases.push_back({"wrapped at 76 columns", wrap(76)});
    cases.push_back({"not wrapped", wrap(4096)});
    cases.push_back(
        {"lower-case BEGIN line", "-----begin amanah secret key-----" + secret_text.substr(33)});
    cases.push_back({"text after END", secret_text + "hello\n"});
    cases.push_back({"blank line before BEGIN", "\n" + secret_text});
    cases.push_back({"mixed line endings", [&] {
                       std::string t = secret_text;
                       t.insert(t.find('\n'), "\r");
                       return t;
                     }()});
    cases.push_back({"space in base64", [&] {
                       std::string t = secret_text;
                       t[40] = ' ';
                       return t;
                     }()});
    auto patched = [&](size_t offset, uint8_t v) {
      Bytes b = blob;
      b[offset] = v;
      return Armour(b);
    };
    cases.push_back({"wrong magic", patched(0, 'a')});
    cases.push_back({"version 2", patched(8, 2)});
    cases.push_back({"role byte 0", patched(9, 0)});
    cases.push_back({"role byte 7", patched(9, 7)});
    Bytes bad_label = Concat(Header(pub.role, "a\nb", ops, mem, salt, nonce), ciphertext);
    cases.push_back({"label with a line feed", Armour(bad_label)});
    secret_malformed("key-secret-file-bad-armour.json",
                     "Secret key files with broken armour, base64 or header.", cases);
  }

  {
    json j =
        Doc("The file of key-secret-file.json with CRLF line endings and/or without the final "
            "line terminator: each opens to the same key.",
            "ok");
    j["passphrase"] = passphrase;
    j.update(PublicJson(pub));
    json cases = json::array();
    for (const std::string& t :
         {crlf(secret_text), chop(secret_text, 1), chop(crlf(secret_text), 2)}) {
      if (!(Must(OpenSecretKey(t, Passphrase(passphrase)), "open variants").pub == pub)) {
        Die("variants");
      }
      cases.push_back(json{{"file", t}});
    }
    j["cases"] = cases;
    out.push_back({"key-secret-file-line-endings.json", j});
  }

  {
    json j = Doc(
        "Authentic secret key files (sealed with the passphrase) whose enc_scalar is zero or "
        "not canonical (>= L): opening fails with the same verify_failed as a wrong passphrase.",
        "verify_failed");
    j["passphrase"] = passphrase;
    json cases = json::array();
    Bytes l_bytes =
        FromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").value();
    for (auto& [why, scalar] : std::vector<std::pair<std::string, Bytes>>{
             {"zero scalar", Bytes(32, 0)}, {"scalar = L", l_bytes}}) {
      Bytes pt = Concat(g.key.sign_seed.Reveal(), scalar);
      Bytes b = Concat(header, Aead(argon_key, nonce, header, pt));
      std::string t = Armour(b);
      MustCode(OpenSecretKey(t, Passphrase(passphrase)).status(), Code::kVerifyFailed,
               "bad scalar");
      cases.push_back(json{{"defect", why}, {"plaintext", ToHex(pt)}, {"file", t}});
    }
    j["cases"] = cases;
    out.push_back({"key-secret-file-bad-scalar.json", j});
  }

  const std::string message = "amanah signature test message";
  auto sig = Sign(g.key, AsBytes(message));
  {
    json j = Doc("An Ed25519 signature (RFC 8032) by the key of key-generate.json.", "ok");
    j["sign_seed"] = ToHex(g.seed);
    j["sign_public"] = ToHex(pub.sign);
    j["message"] = ToHex(AsBytes(message));
    j["signature"] = ToHex(sig);
    MustCode(VerifySignature(pub.sign, AsBytes(message), sig), Code::kOk, "verify");
    out.push_back({"key-signature.json", j});
  }

  {
    json j = Doc("Signatures that must not verify.", "verify_failed");
    json cases = json::array();
    Generated other = Gen(rng, Role::kOfficial, "other");
    auto add = [&](std::string why, const Key32& pk, ByteView msg, ByteView s) {
      MustCode(VerifySignature(pk, msg, s), Code::kVerifyFailed, "bad signature");
      cases.push_back(json{{"defect", why},
                           {"sign_public", ToHex(pk)},
                           {"message", ToHex(msg)},
                           {"signature", ToHex(s)}});
    };
    Bytes flipped(sig.begin(), sig.end());
    flipped[0] ^= 1;
    add("bit flipped in R", pub.sign, AsBytes(message), flipped);
    Bytes m2(AsBytes(message).begin(), AsBytes(message).end());
    m2.back() ^= 1;
    add("bit flipped in the message", pub.sign, m2, sig);
    add("another public key", other.key.pub.sign, AsBytes(message), sig);
    add("63-byte signature", pub.sign, AsBytes(message), ByteView(sig).first(63));
    // S + L: same point, non-canonical scalar (RFC 8032 §5.1.7 requires S < L).
    Bytes s_plus_l(sig.begin(), sig.end());
    Bytes l_bytes =
        FromHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010").value();
    unsigned carry = 0;
    for (int i = 0; i < 32; ++i) {
      unsigned t = s_plus_l[32 + i] + l_bytes[i] + carry;
      s_plus_l[32 + i] = static_cast<uint8_t>(t);
      carry = t >> 8;
    }
    if (carry == 0) add("S + L (non-canonical S)", pub.sign, AsBytes(message), s_plus_l);
    {  // R = the identity (small order), S = k·a (nonce 0): [S]B − [k]A = R holds, yet §1.2
       // rejects a small-order R (libsodium does; a verifier that only checks the equation
       // accepts).
      Bytes r(32, 0);
      r[0] = 1;  // the identity
      const uint8_t zero[32] = {0};
      const Bytes bad = SignWithR(g.seed, pub.sign, r, zero, AsBytes(message));
      uint8_t sb[32], ka[32], k_wide[64], k[32];
      Bytes k_input = Concat(r, pub.sign);
      k_input.insert(k_input.end(), AsBytes(message).begin(), AsBytes(message).end());
      crypto_hash_sha512(k_wide, k_input.data(), k_input.size());
      crypto_core_ed25519_scalar_reduce(k, k_wide);
      if (crypto_scalarmult_ed25519_base_noclamp(sb, bad.data() + 32) != 0 ||
          crypto_scalarmult_ed25519_noclamp(ka, k, pub.sign.data()) != 0 ||
          sodium_memcmp(sb, ka, 32) != 0) {
        std::cerr << "small-order R: [S]B != [k]A\n";
        std::abort();
      }
      add("R of small order (the identity) with S = k·a: the equation holds", pub.sign,
          AsBytes(message), bad);
    }
    {  // §1.2 step 6: R = y + p for y = 3 (≥ p: not canonical, and not on the small-order list).
      Bytes bad(sig.begin(), sig.end());
      bad[0] = 0xf0;
      for (int i = 1; i < 31; ++i) bad[i] = 0xff;
      bad[31] = 0x7f;
      add("R not canonical (y = p + 3)", pub.sign, AsBytes(message), bad);
    }
    {  // §1.2 step 6: the smallest y ≥ 2 with no x on the curve.
      Bytes bad(sig.begin(), sig.end());
      std::fill(bad.begin(), bad.begin() + 32, 0);
      for (uint8_t y = 2;; ++y) {
        bad[0] = y;
        uint8_t sum[32];
        if (crypto_core_ed25519_add(sum, bad.data(), bad.data()) != 0) break;  // not a point
      }
      add("R not on the curve (y = " + std::to_string(bad[0]) + ")", pub.sign, AsBytes(message),
          bad);
    }
    j["cases"] = cases;
    out.push_back({"key-signature-bad.json", j});
  }

  {
    json j =
        Doc("Signatures whose R carries a point of order 2, 4 or 8 (R = [r]B + T, S = r + k·a "
            "with k over that R), by the key of key-generate.json: §1.2's cofactored equation "
            "holds, so each verifies (a cofactorless verifier, such as libsodium's, refuses them).",
            "ok");
    json cases = json::array();
    const std::vector<std::pair<std::string, std::string>> torsion = {
        {"order 2", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
        {"order 4", "0000000000000000000000000000000000000000000000000000000000000080"},
        {"order 8", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
    };
    for (const auto& [order, t_hex] : torsion) {
      const Bytes t = FromHex(t_hex).value();
      Bytes r_wide = Draw(rng, 64);
      uint8_t r[32], big_r[32], shifted[32];
      crypto_core_ed25519_scalar_reduce(r, r_wide.data());
      if (crypto_scalarmult_ed25519_base_noclamp(big_r, r) != 0 ||
          crypto_core_ed25519_add(shifted, big_r, t.data()) != 0) {
        Die("torsion R");
      }
      const Bytes signature =
          SignWithR(g.seed, pub.sign, ByteView(shifted, 32), r, AsBytes(message));
      MustCode(VerifySignature(pub.sign, AsBytes(message), signature), Code::kOk, "torsion R");
      if (crypto_sign_verify_detached(signature.data(), AsBytes(message).data(),
                                      AsBytes(message).size(), pub.sign.data()) == 0) {
        Die("libsodium accepted a torsion R");
      }
      cases.push_back(json{{"defect", "R + a point of " + order},
                           {"sign_public", ToHex(pub.sign)},
                           {"message", ToHex(AsBytes(message))},
                           {"small_order_point", t_hex},
                           {"nonce_random_bytes", ToHex(r_wide)},
                           {"signature", ToHex(signature)}});
    }
    j["cases"] = cases;
    out.push_back({"key-signature-torsion-r.json", j});
  }
  return out;
}

}  // namespace amanah::vectorgen
