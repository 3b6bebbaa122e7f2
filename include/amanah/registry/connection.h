// A connection to a registry: everything a user's machine (the `amanah` command, a test) asks
// of a registry, whether the registry runs in this process over a local store (Registry) or
// behind `amanah serve` (remote::HttpConnection, src/remote/). The CLI's commands are written
// once against this interface, so every command works the same locally and against a server.
//
// Over HTTP nothing the server says is trusted: Read() is the log replayed and verified on
// this machine (registry/replica.h) against a checkpoint signed with the log key of entry 0;
// attachments (sealed records, sealed partials) are checked against the hashes and signatures
// in the verified log before they are returned.
//
// Thread safety: one connection per thread.
#ifndef AMANAH_REGISTRY_CONNECTION_H_
#define AMANAH_REGISTRY_CONNECTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/merkle.h"
#include "amanah/note.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/model.h"
#include "amanah/registry/store.h"

namespace amanah::registry {

// An entry and the bytes that travel with it but are not in the log: the sealed record of an
// enrolment (its hash is in the entry), the sealed partial of an approval.
struct Submission {
  Entry entry;
  Bytes attachment;
};

// What a viewer is shown of the counts: exact for custodians, "<5" for small cells otherwise.
struct CountCell {
  std::string key;
  std::string shown;  // "12" or "<5"
};

class Connection {
 public:
  virtual ~Connection() = default;

  virtual const SignedConfig& config() const = 0;
  virtual const note::VerifierKey& log_key() const = 0;
  virtual const std::string& origin() const = 0;

  // A consistent read-only view of the state (actors, records, plans, releases...). Over
  // HTTP the records carry no sealed bytes and the approvals no partials: ask for those with
  // ReleaseRecords and ReleasePartials.
  virtual Result<std::unique_ptr<StateView>> Read() = 0;

  // Checks one signed entry against the rules and appends it; its log index.
  virtual Result<uint64_t> Submit(const Submission& submission) = 0;
  // All or nothing; the error names the failing position (0-based). `progress` is called with
  // the number done so far, from time to time.
  virtual Result<std::vector<uint64_t>> SubmitAll(
      std::span<const Submission> submissions,
      const std::function<void(size_t)>& progress = {}) = 0;

  // Counts of active records, with the "<5" rule for every viewer but custodians.
  virtual Result<std::vector<CountCell>> Counts(CountBy by, const Fingerprint& viewer) = 0;
  // Pseudonyms of active records, of one list or (list == "") of all, in pseudonym order.
  virtual Result<std::vector<Pseudonym>> ListRecords(const std::string& list) = 0;

  // The records of a release in its order, with their sealed bytes (custodians approving it,
  // its official opening it).
  virtual Result<std::vector<Record>> ReleaseRecords(const Id16& release) = 0;
  // The approvals of a release with their sealed partials (its official).
  virtual Result<std::vector<Approval>> ReleasePartials(const Id16& release) = 0;

  // The log. LatestCheckpoint is kNotFound before the first checkpoint. SignCheckpoint signs
  // the current tree with the operator's key (a local registry opened as the operator); a
  // server signs one after every write, so over HTTP it returns the latest.
  virtual Result<std::string> LatestCheckpoint() = 0;
  virtual Result<std::string> SignCheckpoint() = 0;
  virtual Result<std::vector<merkle::Hash>> InclusionProof(uint64_t index, uint64_t size) = 0;
  virtual Result<std::vector<merkle::Hash>> ConsistencyProof(uint64_t first,
                                                             uint64_t second) = 0;
  // A custodian's cosignature of the checkpoint of `size`; verified before it is kept.
  virtual Status AddCosignature(uint64_t size, uint16_t custodian,
                                const std::string& cosigned_note) = 0;
};

}  // namespace amanah::registry

#endif  // AMANAH_REGISTRY_CONNECTION_H_
