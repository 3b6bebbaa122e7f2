// Threshold release (docs/spec.md §6): custodians' partial decryptions of the records of one
// release, each batch with one DLEQ proof (dleq.h) bound to the registry, the release id, the
// ordered record ids and the custodian's index; sealing a partial to the official; the
// official's opening, which verifies every partial, names the custodians whose partials fail,
// recombines S = x·C1 from any k valid partials with Lagrange coefficients at 0 and decrypts;
// and the drill, in which a custodian proves it still holds its share.
//
// The registry key x is never reconstructed: only the points S_j = x·C1_j are. The registry's
// public values (X, k, the X_i) come from its config as plain values.
//
// Thread safety: pure functions and values; no shared state.
#ifndef AMANAH_RELEASE_H_
#define AMANAH_RELEASE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "amanah/bytes.h"
#include "amanah/dleq.h"
#include "amanah/group.h"
#include "amanah/random.h"
#include "amanah/record.h"
#include "amanah/secret.h"
#include "amanah/status.h"

namespace amanah::release {

using record::RecordId;
using record::RegistryId;
using ReleaseId = std::array<uint8_t, 16>;
using Digest = std::array<uint8_t, 32>;

// docs/spec.md §6.3: a release holds 1..65536 records (the DLEQ numbers pairs with u16).
inline constexpr size_t kMaxRecords = dleq::kMaxPairs;
// docs/spec.md §6.6: the drill's challenge length.
inline constexpr size_t kMinChallengeBytes = 16;
inline constexpr size_t kMaxChallengeBytes = 1024;

// A custodian as the registry's public config lists it: index i >= 1 and X_i = x_i·B.
struct Custodian {
  uint16_t index = 0;
  group::Element verification_share{};
};

// The registry's public threshold parameters: X, k and the custodians.
struct RegistryKeys {
  group::Element registry_key{};  // X
  uint16_t threshold = 0;         // k
  std::vector<Custodian> custodians;
};

// records_digest = BLAKE2b-256(LP("amanah/v1/release-records") ‖ u32(m) ‖ record_id_1 ‖ … ‖
// record_id_m) (docs/spec.md §6.3).
Digest RecordsDigest(std::span<const RecordId> record_ids);

// contextString = "Amanah-v1-Partial-" ‖ registry_id ‖ release_id ‖ I2OSP(i, 2) ‖
// records_digest (docs/spec.md §6.2).
Bytes PartialContextString(const RegistryId& registry_id, const ReleaseId& release_id,
                           uint16_t index, const Digest& records_digest);

// docs/spec.md §6.2: u16 index ‖ u32 m ‖ D_1 ‖ … ‖ D_m ‖ proof.
struct Partial {
  uint16_t index = 0;
  std::vector<group::Element> d;
  dleq::Proof proof{};

  Bytes Encode() const;
  // Strict: kMalformed for index 0, m out of range, a D that is not a canonical non-identity
  // element, a proof scalar >= L, truncation or trailing bytes.
  static Result<Partial> Parse(ByteView bytes);
};

// Custodian side (docs/spec.md §6.2, §6.3): D_j = x_i·C1_j for every record and one proof.
// kInvalidArgument for index 0, a share that is not a canonical non-zero 32-byte scalar, or
// 0 or more than kMaxRecords records; kMalformed if a C1 is not a valid element.
Result<Partial> MakePartial(const RegistryId& registry_id, const ReleaseId& release_id,
                            uint16_t index, const SecretBytes& share,
                            std::span<const record::SealedRecord> records,
                            RandomSource& rng = SystemRng());
// The same with the proof's random scalar given: for test vectors only.
Result<Partial> MakePartialWith(const RegistryId& registry_id, const ReleaseId& release_id,
                                uint16_t index, const SecretBytes& share,
                                std::span<const record::SealedRecord> records,
                                group::ScalarView proof_random);

// A release's sealed records as a custodian's client checks them before making its partial:
// each parsed exactly as record::SealedRecord::Parse does (the same records refused, with the
// same errors), its C1 decoded once into the form the proof's sums use, so that MakePartial
// does not decode it a second time.
//
// Thread safety: Parse may run concurrently for different j; otherwise like a std::vector.
class ParsedRecords {
 public:
  explicit ParsedRecords(size_t m);
  ~ParsedRecords();
  ParsedRecords(ParsedRecords&&) noexcept;
  ParsedRecords& operator=(ParsedRecords&&) noexcept;

  size_t size() const { return records_.size(); }
  // Parses record j from its bytes. REQUIRES: j < size().
  Status Parse(size_t j, ByteView sealed);
  // REQUIRES: Parse(j, …) succeeded.
  const record::SealedRecord& operator[](size_t j) const { return records_[j]; }

 private:
  friend Result<Partial> MakePartial(const RegistryId&, const ReleaseId&, uint16_t,
                                     const SecretBytes&, const ParsedRecords&, RandomSource&);
  struct Points;  // the decoded C1s (libdecaf's representation, internal to the core)
  std::vector<record::SealedRecord> records_;
  std::vector<uint8_t> parsed_;
  std::unique_ptr<Points> points_;
};

// MakePartial from records parsed once. kInvalidArgument as above, and if a record was not
// parsed.
Result<Partial> MakePartial(const RegistryId& registry_id, const ReleaseId& release_id,
                            uint16_t index, const SecretBytes& share,
                            const ParsedRecords& records, RandomSource& rng = SystemRng());

// Box associated data registry_id ‖ release_id ‖ u16(i) (docs/spec.md §6.4).
Bytes PartialBoxAd(const RegistryId& registry_id, const ReleaseId& release_id, uint16_t index);
// SealTo(official_enc, "partial", PartialBoxAd(…, partial.index), partial.Encode()).
Result<Bytes> SealPartial(const group::Element& official_enc, const RegistryId& registry_id,
                          const ReleaseId& release_id, const Partial& partial,
                          RandomSource& rng = SystemRng());

// Checks one partial's proof against X_i for this release and record list (docs/spec.md §6.5).
// kVerifyFailed if it does not verify (also when m differs from the record count or the
// custodian's index differs from partial.index).
Status VerifyPartial(const RegistryId& registry_id, const ReleaseId& release_id,
                     const Custodian& custodian, std::span<const record::SealedRecord> records,
                     const Partial& partial);

// λ_i = Π_{j≠i} j / (j − i) mod L for each i of `indices` (docs/spec.md §6.5).
// REQUIRES: indices distinct and non-zero.
std::vector<group::Scalar> LagrangeAtZero(std::span<const uint16_t> indices);

// A box as relayed to the official: the custodian index it claims to come from (the box's
// associated data binds it) and the box.
struct SealedPartial {
  uint16_t index = 0;
  Bytes box;
};

struct Opened {
  std::vector<SecretBytes> payloads;        // in the release's record order
  std::vector<uint16_t> combined;           // the k custodians whose partials were combined
  std::vector<uint16_t> failed_custodians;  // ascending: no partial of theirs verifies
};

// Official side (docs/spec.md §6.5). Opens every box with the official's encryption scalar,
// verifies every partial, and combines the k valid partials with the lowest indices.
// A custodian whose box does not open, whose partial is malformed, is not in `keys`, or
// whose proof fails is listed in failed_custodians; several partials from one custodian
// count once (valid if any is). Fewer than k valid: kPolicyDenied naming the count and the
// failed custodians. A record that does not decrypt: kVerifyFailed naming its position.
// kInvalidArgument for bad `keys` (k = 0, k > n, a duplicate or zero index) or no records.
Result<Opened> OpenRelease(const SecretBytes& official_enc_secret, const RegistryKeys& keys,
                           const RegistryId& registry_id, const ReleaseId& release_id,
                           std::span<const record::SealedRecord> records,
                           std::span<const SealedPartial> partials);

// --- The drill (docs/spec.md §6.6) -------------------------------------------------------

// P = ristretto255_from_hash(SHA512(LP("amanah/v1/drill") ‖ registry_id ‖ LP(challenge))).
// kInvalidArgument for a challenge outside 16..1024 bytes.
Result<group::Element> DrillPoint(const RegistryId& registry_id, ByteView challenge);
// "Amanah-v1-Drill-" ‖ registry_id ‖ I2OSP(i, 2) ‖ BLAKE2b-256(challenge).
Bytes DrillContextString(const RegistryId& registry_id, uint16_t index, ByteView challenge);

// u16 index ‖ D ‖ proof (98 bytes).
struct DrillResponse {
  uint16_t index = 0;
  group::Element d{};
  dleq::Proof proof{};

  Bytes Encode() const;
  static Result<DrillResponse> Parse(ByteView bytes);  // strict, as Partial::Parse
};

Result<DrillResponse> RespondToDrill(const RegistryId& registry_id, uint16_t index,
                                     const SecretBytes& share, ByteView challenge,
                                     RandomSource& rng = SystemRng());
// The same with the proof's random scalar given: for test vectors only.
Result<DrillResponse> RespondToDrillWith(const RegistryId& registry_id, uint16_t index,
                                         const SecretBytes& share, ByteView challenge,
                                         group::ScalarView proof_random);
// kVerifyFailed if the response does not prove knowledge of log_B X_i for this challenge.
Status VerifyDrill(const RegistryId& registry_id, const Custodian& custodian,
                   ByteView challenge, const DrillResponse& response);

}  // namespace amanah::release

#endif  // AMANAH_RELEASE_H_
