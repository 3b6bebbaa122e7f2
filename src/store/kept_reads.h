// What the registry's rules read for every entry of a write transaction, kept for the
// transaction by the SQL stores: the signer's actor and its attestations, read once (a query,
// or a round trip to PostgreSQL, each) instead of once per entry. The transaction is the
// only writer, and its PutActor and AddAttestation forget what they change, so what is kept
// stays what the tables hold. Absent actors are kept too.
//
// Thread safety: one per transaction, like the transaction.
#ifndef AMANAH_STORE_KEPT_READS_H_
#define AMANAH_STORE_KEPT_READS_H_

#include <map>
#include <optional>
#include <vector>

#include "amanah/registry/model.h"
#include "amanah/status.h"

namespace amanah::registry::store_internal {

class KeptReads {
 public:
  // The kept actor, else read() (a Result<std::optional<Actor>>), kept if it succeeds.
  template <typename Read>
  Result<std::optional<Actor>> FindActor(const Fingerprint& fingerprint, Read&& read) {
    if (auto kept = actors_.find(fingerprint); kept != actors_.end()) return kept->second;
    AMANAH_ASSIGN_OR_RETURN(std::optional<Actor> actor, read());
    actors_.emplace(fingerprint, actor);
    return actor;
  }
  // The same for a subject's attestations (read(): a Result<std::vector<Attestation>>).
  template <typename Read>
  Result<std::vector<Attestation>> Attestations(const Fingerprint& subject, Read&& read) {
    if (auto kept = attestations_.find(subject); kept != attestations_.end()) {
      return kept->second;
    }
    AMANAH_ASSIGN_OR_RETURN(std::vector<Attestation> history, read());
    attestations_.emplace(subject, history);
    return history;
  }
  // Before a write of the actor or of an attestation of the subject, whatever its outcome.
  void ForgetActor(const Fingerprint& fingerprint) { actors_.erase(fingerprint); }
  void ForgetAttestations(const Fingerprint& subject) { attestations_.erase(subject); }

 private:
  std::map<Fingerprint, std::optional<Actor>> actors_;
  std::map<Fingerprint, std::vector<Attestation>> attestations_;
};

}  // namespace amanah::registry::store_internal

#endif  // AMANAH_STORE_KEPT_READS_H_
