// The client side of the registry: what runs on a user's own machine (the `amanah` command
// today, a server's clients tomorrow). It seals identities, builds and signs entries, makes a
// custodian's approval only after checking what docs/registry.md §5 asks, and opens a
// manifest for an official. It talks to a registry only through values: the caller fetches
// and submits (locally, or over HTTP once the server exists).
//
// Thread safety: pure functions over values.
#ifndef AMANAH_REGISTRY_CLIENT_H_
#define AMANAH_REGISTRY_CLIENT_H_

#include <optional>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/merkle.h"
#include "amanah/random.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/model.h"
#include "amanah/registry/registry.h"
#include "amanah/secret.h"

namespace amanah::registry::client {

// What is sealed: the identity, never seen by a server. Encoded as a record::Attributes map
// (docs/registry.md §2.1) with keys name, birth_year, phone, notes (empty ones left out).
struct Identity {
  std::string name;        // as written by the list keeper, any script
  std::string birth_year;  // "1979", or empty
  std::string phone;
  std::string notes;
};
Result<SecretBytes> EncodeIdentity(const Identity& identity);
Result<Identity> DecodeIdentity(const SecretBytes& payload);

// The longest encoded identity: four fields of at most 1024 bytes each (docs/spec.md §5.3).
inline constexpr size_t kMaxIdentityBytes =
    2 + (2 + 4 + 2) + (2 + 10 + 2) + (2 + 5 + 2) + (2 + 5 + 2) + 4 * 1024;

// Wiped memory to encode identities into, reused from one enrolment to the next: one guarded
// allocation for a whole import instead of one per person. Not thread-safe: one per thread.
class IdentityBuffer {
 public:
  IdentityBuffer() : bytes_(kMaxIdentityBytes) {}
  // EncodeIdentity into this buffer: the encoding is the returned view's bytes, valid until the
  // next Encode or Wipe. On an error the buffer is wiped.
  Result<ByteView> Encode(const Identity& identity);
  // Wipes what the last Encode wrote (the destructor wipes the rest).
  void Wipe();

 private:
  SecretBytes bytes_;
  size_t used_ = 0;
};

// Enrolment: seals the identity to the registry key and signs the record and the entry.
Result<Submission> Enrol(const SignedConfig& config, const SecretKey& enroller,
                         const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now,
                         RandomSource& rng = SystemRng());
// The same for many people with one key: the signer is made once (keys.h) and may be shared by
// threads; `buffer` is this thread's, and is wiped before Enrol returns.
Result<Submission> Enrol(const SignedConfig& config, const Signer& enroller,
                         IdentityBuffer& buffer, const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now,
                         RandomSource& rng = SystemRng());
// The same with the registry key prepared once for the session (record.h: S = r·X from a
// table, about 28 µs less a person). kInvalidArgument if sealing_key.element() is not the
// config's registry key.
Result<Submission> Enrol(const SignedConfig& config, const Signer& enroller,
                         const record::SealingKey& sealing_key, IdentityBuffer& buffer,
                         const Pseudonym& id, const Identity& identity,
                         const PersonAttributes& attributes, Time now,
                         RandomSource& rng = SystemRng());

Result<Submission> RegisterSelf(const SignedConfig& config, const SecretKey& key,
                                const std::string& organisation,
                                std::optional<OrgKind> org_kind, Time now);

Result<Submission> Attest(const SignedConfig& config, const SecretKey& custodian,
                          const Fingerprint& subject, AttestationKind kind, Time expires,
                          Time now);

// Any other entry whose body needs no secret but the signature (plan, release request,
// refusal, open, sighting, plan event, withdrawal).
Submission SignBody(const SignedConfig& config, const SecretKey& actor, const Body& body,
                    Time now);

// What a custodian's client fetches before approving (docs/registry.md §5).
struct ApprovalEvidence {
  Bytes request_entry;                     // the release-request entry's bytes
  uint64_t request_index = 0;
  std::string checkpoint;                  // a signed checkpoint that includes it
  std::vector<merkle::Hash> inclusion;     // the request in that checkpoint
  std::optional<std::string> last_seen;    // the last checkpoint this custodian cosigned
  std::vector<merkle::Hash> consistency;   // from last_seen to checkpoint
  Actor official;                          // the release's official
  ActorStatus official_status = ActorStatus::kPending;
  std::vector<Record> records;             // the release's records, in its order
  std::vector<PublicKey> enrollers;        // the enroller of each record, same order
};

struct ApprovalOutput {
  Submission approve;           // the approve entry with the sealed partial attached
  std::string cosigned;         // the checkpoint with this custodian's cosignature
};

// Checks everything in the evidence (signatures, inclusion, consistency, every record's
// enroller signature and consent, the official's status), cosigns the checkpoint, makes one
// partial for the whole release sealed to the official, and signs the approval.
Result<ApprovalOutput> Approve(const SignedConfig& config, const note::VerifierKey& log_key,
                               const std::string& origin, uint16_t index,
                               const SecretKey& custodian, const SecretBytes& share,
                               const ApprovalEvidence& evidence, Time now,
                               RandomSource& rng = SystemRng());

// One person of an opened manifest: the name appears only here, on the official's machine.
struct ManifestRow {
  Pseudonym id;
  Identity identity;
  PersonAttributes attributes;
};
struct Manifest {
  Release release;
  std::vector<ManifestRow> rows;
  uint32_t patients = 0, companions = 0, seats = 0;
  std::vector<uint16_t> combined, failed_custodians;
};

// Opens a release with the official's key from k approvals' sealed partials.
Result<Manifest> OpenManifest(const SignedConfig& config, const SecretKey& official,
                              const Release& release, const std::vector<Record>& records,
                              const std::vector<Approval>& approvals);

}  // namespace amanah::registry::client

#endif  // AMANAH_REGISTRY_CLIENT_H_
