#include "amanah/remote/http_connection.h"

#include <httplib.h>
#include <sodium.h>

#include <cctype>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "amanah/bytes.h"
#include "amanah/http_signature.h"
#include "amanah/record.h"
#include "amanah/registry/entry.h"
#include "amanah/registry/replica.h"
#include "amanah/registry/rules.h"
#include "amanah/sha256.h"

namespace amanah::remote {
namespace {

using json = nlohmann::json;
using registry::Id16;

constexpr uint64_t kEntriesPerRequest = 1000;  // the server's limit for /v1/log/entries
constexpr size_t kSubmissionsPerRequest = 2000;

Code CodeOfProblem(const std::string& code, int http_status) {
  static const std::pair<const char*, Code> kCodes[] = {
      {"malformed", Code::kMalformed},         {"invalid-argument", Code::kInvalidArgument},
      {"too-large", Code::kInvalidArgument},   {"not-found", Code::kNotFound},
      {"conflict", Code::kConflict},           {"verify-failed", Code::kVerifyFailed},
      {"policy-denied", Code::kPolicyDenied},  {"role-denied", Code::kPolicyDenied},
      {"suspended", Code::kPolicyDenied},      {"unknown-key", Code::kPolicyDenied},
      {"expired", Code::kPolicyDenied},        {"pending", Code::kPolicyDenied},
      {"method-not-allowed", Code::kInvalidArgument}, {"too-many-pending", Code::kUnavailable},
      {"unsigned", Code::kPolicyDenied},       {"bad-signature", Code::kVerifyFailed},
      {"expired-signature", Code::kVerifyFailed}, {"replayed", Code::kVerifyFailed},
      {"rate-limited", Code::kUnavailable},    {"unavailable", Code::kUnavailable},
      {"internal", Code::kInternal},
  };
  for (const auto& [name, c] : kCodes) {
    if (code == name) return c;
  }
  if (http_status == 404) return Code::kNotFound;
  if (http_status >= 500) return Code::kUnavailable;
  return Code::kInvalidArgument;
}

std::string Id16Hex(const Id16& id) { return ToHex(id); }

Result<Bytes> Base64Field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) {
    return Malformed(std::string("the server's answer has no ") + name);
  }
  Result<Bytes> bytes = FromBase64(j[name].get<std::string>());
  if (!bytes.ok()) return Malformed(std::string("the server's ") + name + " is not base64");
  return bytes;
}

// RFC 3986 percent-encoding of a query value: unreserved characters stay, every other byte
// is %XX.
std::string PercentEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct HttpConnection::Impl {
  std::string scheme_host_port;
  std::string prefix;  // path prefix, no trailing '/'
  std::optional<SecretKey> key;
  registry::Clock* clock = nullptr;
  std::unique_ptr<httplib::Client> client;

  SignedConfig config;
  std::string origin;
  std::optional<note::VerifierKey> log_key;
  registry::Replica replica{std::nullopt};
  std::string checkpoint;  // the latest verified checkpoint
  std::optional<std::string> last_seen;
  std::function<Status(const std::string&)> save_seen;
  bool synced = false;     // the replica has been checked against a signed checkpoint once

  // One signed request; the parsed JSON body or the problem as a Status.
  Result<std::string> Call(const std::string& method, const std::string& path,
                           const std::string& query, const std::string& body,
                           const std::string& content_type) {
    const std::string target = prefix + path + query;
    httplib::Headers headers;
    if (key) {
      const int64_t now = clock ? clock->Now() : registry::SystemClock().Now();
      http::SignatureHeaders sig = http::SignRequest(
          {method, prefix + path, query.empty() ? "" : query, AsBytes(body)}, *key, now);
      headers.emplace("Content-Digest", sig.content_digest);
      headers.emplace("Signature-Input", sig.signature_input);
      headers.emplace("Signature", sig.signature);
    }
    httplib::Result res = method == "GET"
                              ? client->Get(target, headers)
                              : client->Post(target, headers, body, content_type.c_str());
    if (!res) {
      return Unavailable("cannot reach the registry server " + scheme_host_port + " (" +
                         httplib::to_string(res.error()) + ")");
    }
    if (res->status >= 200 && res->status < 300) return res->body;
    std::string code, detail;
    json problem = json::parse(res->body, nullptr, false);
    if (problem.is_object()) {
      if (problem.contains("code") && problem["code"].is_string()) code = problem["code"];
      if (problem.contains("detail") && problem["detail"].is_string()) detail = problem["detail"];
    }
    if (detail.empty()) detail = "the server answered HTTP " + std::to_string(res->status);
    return Status(CodeOfProblem(code, res->status), detail);
  }

  Result<json> CallJson(const std::string& method, const std::string& path,
                        const std::string& query = "", const std::string& body = "") {
    AMANAH_ASSIGN_OR_RETURN(std::string text,
                            Call(method, path, query, body, "application/json"));
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      return Malformed("the server's answer to " + path + " is not a JSON object");
    }
    return j;
  }

  // Brings the replica up to the server's latest checkpoint and verifies it.
  Status Sync() {
    AMANAH_ASSIGN_OR_RETURN(std::string text, Call("GET", "/checkpoint", "", "", ""));
    AMANAH_ASSIGN_OR_RETURN(note::Note parsed, note::ParseNote(text));
    AMANAH_ASSIGN_OR_RETURN(note::Checkpoint cp, note::ParseCheckpoint(parsed.text));
    if (cp.size < replica.size()) {
      return VerifyFailed("the server's latest checkpoint (" + std::to_string(cp.size) +
                          " entries) is older than one it showed before (" +
                          std::to_string(replica.size()) +
                          "): the log was rolled back or forked");
    }
    while (replica.size() < cp.size) {
      const uint64_t count = std::min<uint64_t>(kEntriesPerRequest, cp.size - replica.size());
      AMANAH_ASSIGN_OR_RETURN(
          json j, CallJson("GET", "/v1/log/entries",
                           "?start=" + std::to_string(replica.size()) +
                               "&count=" + std::to_string(count)));
      if (!j.contains("entries") || !j["entries"].is_array() || j["entries"].empty() ||
          j["entries"].size() > count) {
        return Malformed("the server's log entries answer is malformed");
      }
      std::vector<Bytes> entries;
      for (const json& e : j["entries"]) {
        if (!e.is_string()) return Malformed("the server's log entries answer is malformed");
        Result<Bytes> bytes = FromBase64(e.get<std::string>());
        if (!bytes.ok()) return Malformed("a log entry from the server is not base64");
        entries.push_back(std::move(*bytes));
      }
      Status s = replica.Append(entries);
      if (!s.ok()) return Status(s.code(), "the server's log does not verify: " + s.message());
    }
    Result<note::VerifiedCheckpoint> verified = replica.CheckCheckpoint(text);
    if (!verified.ok()) {
      return VerifyFailed("the server's checkpoint does not match its log: " +
                          verified.status().message());
    }
    const bool newer = text != checkpoint;
    checkpoint = text;
    if (!synced) {
      AMANAH_RETURN_IF_ERROR(CheckAgainstLastSeen());
      // What /v1/registry announced must be what entry 0 of the verified log says.
      AMANAH_ASSIGN_OR_RETURN(std::string logged_origin, replica.origin());
      AMANAH_ASSIGN_OR_RETURN(note::VerifierKey logged_key, replica.log_key());
      if (logged_origin != origin || !(logged_key == *log_key)) {
        return VerifyFailed("the server announced another log origin or key than its log's");
      }
      synced = true;
    }
    if (newer && save_seen) AMANAH_RETURN_IF_ERROR(save_seen(checkpoint));
    return Status::Ok();
  }

  // The log must extend the one this user verified last time (rollback and fork detection
  // across commands; custodians also check consistency before they cosign).
  Status CheckAgainstLastSeen() {
    if (!last_seen) return Status::Ok();
    AMANAH_ASSIGN_OR_RETURN(std::string logged_origin, replica.origin());
    AMANAH_ASSIGN_OR_RETURN(note::VerifierKey logged_key, replica.log_key());
    Result<note::VerifiedCheckpoint> old =
        note::OpenCheckpoint(*last_seen, logged_origin, logged_key, {});
    if (!old.ok()) {
      return VerifyFailed("the last checkpoint you verified is not from this registry's log (" +
                          old.status().message() + "); is this the registry you worked with?");
    }
    if (old->checkpoint.size > replica.size()) {
      return VerifyFailed("the server's log (" + std::to_string(replica.size()) +
                          " entries) is smaller than the one you verified before (" +
                          std::to_string(old->checkpoint.size) +
                          "): the log was rolled back; tell the custodians");
    }
    AMANAH_ASSIGN_OR_RETURN(merkle::Hash root, replica.RootAt(old->checkpoint.size));
    if (root != old->checkpoint.root) {
      return VerifyFailed("the server's log is not an extension of the one you verified before "
                          "(a fork); tell the custodians");
    }
    return Status::Ok();
  }

  Result<registry::Entry> LoggedEntry(uint64_t index) {
    AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view, replica.store().Read());
    AMANAH_ASSIGN_OR_RETURN(Bytes bytes, view->LogEntry(index));
    return registry::Entry::Parse(bytes);
  }
};

HttpConnection::HttpConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpConnection::~HttpConnection() = default;

Result<std::unique_ptr<HttpConnection>> HttpConnection::Connect(const std::string& url,
                                                               const SecretKey* key,
                                                               const HttpOptions& options) {
  auto impl = std::make_unique<Impl>();
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return InvalidArgument("--server must be an http:// or https:// URL");
  }
  const size_t path_start = url.find('/', scheme_end + 3);
  impl->scheme_host_port = url.substr(0, path_start);
  if (path_start != std::string::npos) {
    impl->prefix = url.substr(path_start);
    while (!impl->prefix.empty() && impl->prefix.back() == '/') impl->prefix.pop_back();
  }
  impl->client = std::make_unique<httplib::Client>(impl->scheme_host_port);
  if (!impl->client->is_valid()) return InvalidArgument("--server: not a usable URL");
  impl->client->set_connection_timeout(options.timeout_seconds, 0);
  impl->client->set_read_timeout(options.timeout_seconds, 0);
  impl->client->set_write_timeout(options.timeout_seconds, 0);
  impl->client->set_keep_alive(true);
  if (!options.ca_file.empty()) impl->client->set_ca_cert_path(options.ca_file.c_str());
  impl->client->enable_server_certificate_verification(true);
  impl->clock = options.clock;
  impl->last_seen = options.last_seen;
  impl->save_seen = options.save_seen;
  if (key != nullptr) {
    impl->key.emplace(SecretKey{key->pub, key->sign_seed.Clone(), key->enc.Clone()});
  }

  AMANAH_ASSIGN_OR_RETURN(json reg, impl->CallJson("GET", "/v1/registry"));
  if (!reg.contains("config") || !reg["config"].is_string()) {
    return Malformed("the server's /v1/registry answer has no config");
  }
  AMANAH_ASSIGN_OR_RETURN(SignedConfig offered, ParseConfigFile(reg["config"].get<std::string>()));
  AMANAH_RETURN_IF_ERROR(VerifyConfig(offered, offered.config.k));
  if (options.expected_registry && offered.config.Id() != *options.expected_registry) {
    return VerifyFailed("the server at " + impl->scheme_host_port +
                        " runs another registry than your config's");
  }
  if (!reg.contains("origin") || !reg["origin"].is_string() || !reg.contains("log_key") ||
      !reg["log_key"].is_string()) {
    return Malformed("the server's /v1/registry answer has no origin or log key");
  }
  AMANAH_ASSIGN_OR_RETURN(note::VerifierKey log_key,
                          note::VerifierKey::Parse(reg["log_key"].get<std::string>()));
  // Entry 0 must carry exactly the config the server showed (and that we checked above); the
  // origin and log key are checked against entry 0 at the first Sync. The log is read on
  // demand: a key that is not admitted yet (actor register) may not read it.
  impl->config = offered;
  impl->origin = reg["origin"].get<std::string>();
  impl->log_key.emplace(std::move(log_key));
  impl->replica = registry::Replica(std::move(offered));
  return std::unique_ptr<HttpConnection>(new HttpConnection(std::move(impl)));
}

const SignedConfig& HttpConnection::config() const { return impl_->config; }
const note::VerifierKey& HttpConnection::log_key() const { return *impl_->log_key; }
const std::string& HttpConnection::origin() const { return impl_->origin; }

Result<std::unique_ptr<registry::StateView>> HttpConnection::Read() {
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  return impl_->replica.store().Read();
}

Result<uint64_t> HttpConnection::Submit(const registry::Submission& submission) {
  AMANAH_ASSIGN_OR_RETURN(std::vector<uint64_t> indices,
                          SubmitAll(std::span<const registry::Submission>(&submission, 1)));
  return indices.front();
}

Result<std::vector<uint64_t>> HttpConnection::SubmitAll(
    std::span<const registry::Submission> submissions,
    const std::function<void(size_t)>& progress) {
  if (submissions.empty()) return InvalidArgument("nothing to submit");
  if (submissions.size() > kSubmissionsPerRequest) {
    // The server takes one request all or nothing; a larger batch cannot be all or nothing
    // over several requests, so it is refused rather than half written.
    return InvalidArgument("at most " + std::to_string(kSubmissionsPerRequest) +
                           " entries go to a server in one command; split the file");
  }
  json body = {{"submissions", json::array()}};
  for (const registry::Submission& s : submissions) {
    json item = {{"entry", ToBase64(s.entry.Encode())}};
    if (!s.attachment.empty()) item["attachment"] = ToBase64(s.attachment);
    body["submissions"].push_back(std::move(item));
  }
  AMANAH_ASSIGN_OR_RETURN(json answer, impl_->CallJson("POST", "/v1/entries", "", body.dump()));
  if (!answer.contains("indices") || !answer["indices"].is_array() ||
      answer["indices"].size() != submissions.size()) {
    return Malformed("the server's answer to /v1/entries is malformed");
  }
  std::vector<uint64_t> indices;
  for (const json& i : answer["indices"]) {
    if (!i.is_number_unsigned()) return Malformed("the server's answer has a bad index");
    indices.push_back(i.get<uint64_t>());
  }
  if (progress) progress(submissions.size());
  // The entries must now be in the log, as submitted, at those indices. A key that is not
  // admitted yet (it just registered) may not read the log: then this check waits for its
  // first command after admission, which verifies the whole log.
  if (Status synced = impl_->Sync(); !synced.ok()) {
    bool own_registration = true;
    for (const registry::Submission& s : submissions) {
      own_registration = own_registration &&
                         s.entry.type == registry::EntryType::kRegisterActor && impl_->key &&
                         s.entry.actor == impl_->key->pub.FingerprintBytes();
    }
    if (synced.code() == Code::kPolicyDenied && own_registration) return indices;
    return synced;
  }
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view,
                          impl_->replica.store().Read());
  for (size_t i = 0; i < submissions.size(); ++i) {
    Result<Bytes> logged = view->LogEntry(indices[i]);
    if (!logged.ok() || *logged != submissions[i].entry.Encode()) {
      return VerifyFailed("the server's log does not hold the entry it acknowledged at " +
                          std::to_string(indices[i]));
    }
  }
  return indices;
}

Result<std::vector<registry::CountCell>> HttpConnection::Counts(
    registry::CountBy by, const registry::Fingerprint& viewer) {
  static const char* kBy[] = {"role", "district", "need", "list"};
  // The server's answer says this key may see counts; the counts themselves are the verified
  // log's, with the same "<5" rule (exact for custodians).
  AMANAH_ASSIGN_OR_RETURN(
      json j, impl_->CallJson("GET", "/v1/counts",
                              std::string("?by=") + kBy[static_cast<int>(by)]));
  if (!j.contains("counts") || !j["counts"].is_array()) {
    return Malformed("the server's counts answer is malformed");
  }
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view,
                          impl_->replica.store().Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Actor> actor, view->FindActor(viewer));
  if (!actor) return NotFound("the viewer is not a registered key");
  const bool exact = actor->key.role == Role::kCustodian;
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::CountRow> rows,
                          impl_->replica.store().CountRecords(by));
  std::vector<registry::CountCell> cells;
  for (const registry::CountRow& row : rows) {
    if (row.count == 0) continue;
    cells.push_back({row.key, registry::ShowCount(row.count, exact)});
  }
  return cells;
}

Result<std::vector<Pseudonym>> HttpConnection::ListRecords(const std::string& list) {
  AMANAH_ASSIGN_OR_RETURN(
      json j, impl_->CallJson("GET", "/v1/records",
                              list.empty() ? "" : "?list=" + PercentEncode(list)));
  if (!j.contains("records") || !j["records"].is_array()) {
    return Malformed("the server's records answer is malformed");
  }
  // The server answered, so this key may list; the list itself is read from the verified
  // log, not from the answer.
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  return impl_->replica.store().ListRecords(list);
}

Result<std::vector<registry::Record>> HttpConnection::ReleaseRecords(const Id16& release_id) {
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view,
                          impl_->replica.store().Read());
  AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Release> release,
                          view->FindRelease(release_id));
  if (!release) return NotFound("no release " + Id16Hex(release_id));
  AMANAH_ASSIGN_OR_RETURN(
      json j, impl_->CallJson("GET", "/v1/releases/" + Id16Hex(release_id) + "/sealed-records"));
  if (!j.contains("records") || !j["records"].is_array() ||
      j["records"].size() != release->people.size()) {
    return VerifyFailed("the server's sealed records are not the release's");
  }
  std::vector<registry::Record> records;
  for (size_t i = 0; i < release->people.size(); ++i) {
    const json& item = j["records"][i];
    const Pseudonym& id = release->people[i];
    AMANAH_ASSIGN_OR_RETURN(std::optional<registry::Record> record, view->FindRecord(id));
    if (!record) return NotFound("no record " + id.ToString());
    if (!item.is_object() || !item.contains("id") || item["id"] != id.ToString()) {
      return VerifyFailed("the server's sealed records are not the release's");
    }
    if (item.contains("sealed") && item["sealed"].is_null()) {
      // Withdrawn (crypto-shredded) since the request: the verified log must say so too.
      if (!record->withdrawn) {
        return VerifyFailed("the server withholds the sealed record of " + id.ToString());
      }
      records.push_back(std::move(*record));
      continue;
    }
    AMANAH_ASSIGN_OR_RETURN(Bytes sealed, Base64Field(item, "sealed"));
    // The enrol entry in the verified log names C1 and the ciphertext hash.
    AMANAH_ASSIGN_OR_RETURN(registry::Entry entry, impl_->LoggedEntry(record->log_index));
    AMANAH_ASSIGN_OR_RETURN(registry::Body body, registry::ReadBody(entry));
    const auto* enrol = std::get_if<registry::EnrolBody>(&body);
    auto parsed = record::SealedRecord::Parse(sealed);
    if (enrol == nullptr || !parsed.ok() || parsed->record_id != id.RecordId() ||
        parsed->c1 != enrol->c1 || record::CiphertextHash(*parsed) != enrol->ciphertext_hash) {
      return VerifyFailed("the server's sealed record for " + id.ToString() +
                          " is not the one its enroller signed");
    }
    record->sealed = std::move(sealed);
    records.push_back(std::move(*record));
  }
  return records;
}

Result<std::vector<registry::Approval>> HttpConnection::ReleasePartials(const Id16& release_id) {
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view,
                          impl_->replica.store().Read());
  AMANAH_ASSIGN_OR_RETURN(std::vector<registry::Approval> approvals,
                          view->Approvals(release_id));
  AMANAH_ASSIGN_OR_RETURN(
      json j, impl_->CallJson("GET", "/v1/releases/" + Id16Hex(release_id) + "/partials"));
  if (!j.contains("approvals") || !j["approvals"].is_array()) {
    return Malformed("the server's partials answer is malformed");
  }
  for (const json& item : j["approvals"]) {
    if (!item.is_object() || !item.contains("custodian") ||
        !item["custodian"].is_number_unsigned()) {
      return Malformed("the server's partials answer is malformed");
    }
    const auto custodian = item["custodian"].get<uint64_t>();
    AMANAH_ASSIGN_OR_RETURN(Bytes partial, Base64Field(item, "sealed_partial"));
    for (registry::Approval& a : approvals) {
      if (a.custodian != custodian) continue;
      AMANAH_ASSIGN_OR_RETURN(registry::Entry entry, impl_->LoggedEntry(a.log_index));
      AMANAH_ASSIGN_OR_RETURN(registry::Body body, registry::ReadBody(entry));
      const auto* approve = std::get_if<registry::ApproveBody>(&body);
      if (approve == nullptr || Sha256Of(partial) != approve->partial_hash) {
        return VerifyFailed("the server's partial of custodian " + std::to_string(custodian) +
                            " is not the one the custodian logged");
      }
      a.sealed_partial = std::move(partial);
    }
  }
  std::vector<registry::Approval> complete;
  for (registry::Approval& a : approvals) {
    if (!a.sealed_partial.empty()) complete.push_back(std::move(a));
  }
  return complete;
}

Result<std::string> HttpConnection::LatestCheckpoint() {
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  return impl_->checkpoint;
}

Result<std::string> HttpConnection::SignCheckpoint() { return LatestCheckpoint(); }

namespace {
Result<std::vector<merkle::Hash>> Hashes(const json& j) {
  if (!j.contains("hashes") || !j["hashes"].is_array()) {
    return Malformed("the server's proof is malformed");
  }
  std::vector<merkle::Hash> hashes;
  for (const json& h : j["hashes"]) {
    if (!h.is_string()) return Malformed("the server's proof is malformed");
    Result<Bytes> bytes = FromBase64(h.get<std::string>());
    if (!bytes.ok() || bytes->size() != 32) return Malformed("the server's proof is malformed");
    merkle::Hash hash;
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    hashes.push_back(hash);
  }
  return hashes;
}
}  // namespace

// Proofs from the server are checked against the verified replica before they are returned.
Result<std::vector<merkle::Hash>> HttpConnection::InclusionProof(uint64_t index, uint64_t size) {
  AMANAH_ASSIGN_OR_RETURN(json j, impl_->CallJson("GET", "/v1/log/inclusion",
                                                  "?index=" + std::to_string(index) +
                                                      "&size=" + std::to_string(size)));
  AMANAH_ASSIGN_OR_RETURN(std::vector<merkle::Hash> proof, Hashes(j));
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  if (index >= size || size > impl_->replica.size()) {
    return InvalidArgument("entry " + std::to_string(index) + " is not in a tree of " +
                           std::to_string(size) + " entries");
  }
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash root, impl_->replica.RootAt(size));
  AMANAH_ASSIGN_OR_RETURN(std::unique_ptr<registry::StateView> view,
                          impl_->replica.store().Read());
  AMANAH_ASSIGN_OR_RETURN(Bytes entry, view->LogEntry(index));
  if (!merkle::VerifyInclusion(index, size, merkle::LeafHash(entry), proof, root).ok()) {
    return VerifyFailed("the server's inclusion proof does not verify against its log");
  }
  return proof;
}

Result<std::vector<merkle::Hash>> HttpConnection::ConsistencyProof(uint64_t first,
                                                                   uint64_t second) {
  AMANAH_ASSIGN_OR_RETURN(json j, impl_->CallJson("GET", "/v1/log/consistency",
                                                  "?first=" + std::to_string(first) +
                                                      "&second=" + std::to_string(second)));
  AMANAH_ASSIGN_OR_RETURN(std::vector<merkle::Hash> proof, Hashes(j));
  AMANAH_RETURN_IF_ERROR(impl_->Sync());
  if (first > second || second > impl_->replica.size()) {
    return InvalidArgument("the log is smaller than that tree size");
  }
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash first_root, impl_->replica.RootAt(first));
  AMANAH_ASSIGN_OR_RETURN(merkle::Hash second_root, impl_->replica.RootAt(second));
  if (!merkle::VerifyConsistency(first, second, first_root, second_root, proof).ok()) {
    return VerifyFailed("the server's consistency proof does not verify against its log");
  }
  return proof;
}

Status HttpConnection::AddCosignature(uint64_t size, uint16_t /*custodian: the signing key*/,
                                      const std::string& cosigned_note) {
  // C2SP tlog-witness add-checkpoint shape: "old N", the consistency proof from N, a blank
  // line, then the checkpoint note (here carrying our cosignature). We send old 0 with no
  // proof: the server checks our cosignature against its own checkpoint of that size.
  std::string body = "old 0\n\n" + cosigned_note;
  (void)size;
  AMANAH_ASSIGN_OR_RETURN(std::string answer,
                          impl_->Call("POST", "/v1/add-checkpoint", "", body, "text/plain"));
  (void)answer;
  return Status::Ok();
}

}  // namespace amanah::remote
