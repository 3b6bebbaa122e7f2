// A registry behind `amanah serve`, reached over HTTP(S): the Connection (registry/
// connection.h) that the `amanah` command uses with --server URL.
//
// Every request is signed with the user's key (RFC 9421, docs/spec.md §10, docs/api.md).
// Nothing the server says is trusted: the state is a Replica rebuilt here from the log and
// checked against a checkpoint signed with the log key that entry 0 names; sealed records and
// sealed partials are checked against the C1, ciphertext hash and partial hash of the verified
// log before they are returned. A server that lies, rolls back or forks the log is caught by
// the same checks as a tampered local file (and custodians check consistency before they
// approve, as locally).
//
// Thread safety: one connection per thread.
#ifndef AMANAH_REMOTE_HTTP_CONNECTION_H_
#define AMANAH_REMOTE_HTTP_CONNECTION_H_

#include <memory>
#include <optional>
#include <string>

#include "amanah/keys.h"
#include "amanah/registry/connection.h"
#include "amanah/registry/registry.h"

namespace amanah::remote {

struct HttpOptions {
  // The clock that dates request signatures (the server refuses one outside its window).
  registry::Clock* clock = nullptr;  // nullptr: the system clock
  // PEM file of the CA (or the self-signed certificate) that the server's TLS certificate
  // must chain to; empty: the system's CAs.
  std::string ca_file;
  // When set, the registry's config id (its config's Id()) must be this one.
  std::optional<record::RegistryId> expected_registry;
  int timeout_seconds = 30;
};

class HttpConnection final : public registry::Connection {
 public:
  // `url`: http://host:port or https://host:port, with an optional path prefix. `key` signs
  // every request (a copy is kept, in secure memory); without a key only public routes
  // answer, so Read() works only against a server started with --public-entries.
  // Fetches the registry's config and replays its whole log (see above) before returning.
  static Result<std::unique_ptr<HttpConnection>> Connect(const std::string& url,
                                                         const SecretKey* key,
                                                         const HttpOptions& options);
  ~HttpConnection() override;

  const SignedConfig& config() const override;
  const note::VerifierKey& log_key() const override;
  const std::string& origin() const override;

  Result<std::unique_ptr<registry::StateView>> Read() override;
  Result<uint64_t> Submit(const registry::Submission& submission) override;
  Result<std::vector<uint64_t>> SubmitAll(
      std::span<const registry::Submission> submissions,
      const std::function<void(size_t)>& progress = {}) override;
  Result<std::vector<registry::CountCell>> Counts(registry::CountBy by,
                                                  const registry::Fingerprint& viewer) override;
  Result<std::vector<Pseudonym>> ListRecords(const std::string& list) override;
  Result<std::vector<registry::Record>> ReleaseRecords(const registry::Id16& release) override;
  Result<std::vector<registry::Approval>> ReleasePartials(
      const registry::Id16& release) override;
  Result<std::string> LatestCheckpoint() override;
  Result<std::string> SignCheckpoint() override;
  Result<std::vector<merkle::Hash>> InclusionProof(uint64_t index, uint64_t size) override;
  Result<std::vector<merkle::Hash>> ConsistencyProof(uint64_t first, uint64_t second) override;
  Status AddCosignature(uint64_t size, uint16_t custodian,
                        const std::string& cosigned_note) override;

  struct Impl;

 private:
  explicit HttpConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace amanah::remote

#endif  // AMANAH_REMOTE_HTTP_CONNECTION_H_
