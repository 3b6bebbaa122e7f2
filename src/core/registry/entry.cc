#include "amanah/registry/entry.h"

#include <algorithm>
#include <set>
#include <vector>

#include "amanah/ceremony.h"
#include "amanah/note.h"

namespace amanah::registry {
namespace {

// Encoded on the wire: do not change (docs/spec.md §9).
constexpr std::string_view kLogEntryDst = "amanah/v1/log-entry";
constexpr uint16_t kEntryVersion = 1;
constexpr size_t kSignatureBytes = 64;
constexpr size_t kMaxFieldNameBytes = 32;
constexpr size_t kMaxFields = 64;

// docs/spec.md §9.2: text limits.
constexpr size_t kShortText = 64;   // route points, organisation, guarantor
constexpr size_t kReasonText = 280;  // refusals and plan events
constexpr size_t kOriginText = 255;

bool ValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldNameBytes) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// --- field encodings (docs/spec.md §9.2) -----------------------------------------------------

Bytes U8(uint8_t v) { return {v}; }
Bytes U16(uint16_t v) { return ByteWriter().U16(v).Take(); }
Bytes U32(uint32_t v) { return ByteWriter().U32(v).Take(); }
Bytes U64(uint64_t v) { return ByteWriter().U64(v).Take(); }
Bytes TimeBytes(Time t) { return U64(static_cast<uint64_t>(t)); }
Bytes Str(std::string_view s) { return Bytes(s.begin(), s.end()); }
template <size_t N>
Bytes Raw(const std::array<uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}
Bytes Ids(std::span<const Pseudonym> ids) {
  ByteWriter w;
  for (const Pseudonym& p : ids) w.Raw(p.RecordId());
  return w.Take();
}
Bytes Texts(std::span<const std::string> texts) {
  ByteWriter w;
  for (const std::string& s : texts) w.LP(s);
  return w.Take();
}

// Reads the fields of one entry, each at most once; Done() rejects any field not read.
class FieldReader {
 public:
  explicit FieldReader(const Entry& entry) : fields_(entry.fields) {}

  // The field's bytes, or nullptr if absent.
  const Bytes* Optional(const std::string& name) {
    auto it = fields_.find(name);
    if (it == fields_.end()) return nullptr;
    if (std::find(read_.begin(), read_.end(), &it->first) == read_.end()) {
      read_.push_back(&it->first);
    }
    return &it->second;
  }
  Result<ByteView> Required(const std::string& name) {
    const Bytes* b = Optional(name);
    if (!b) return Malformed("entry field " + name + " is missing");
    return ByteView(*b);
  }
  template <size_t N>
  Result<std::array<uint8_t, N>> Fixed(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(ByteView b, Required(name));
    if (b.size() != N) return Malformed("entry field " + name + " has the wrong length");
    std::array<uint8_t, N> a;
    std::copy(b.begin(), b.end(), a.begin());
    return a;
  }
  Result<uint8_t> U8(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(auto a, Fixed<1>(name));
    return a[0];
  }
  Result<uint16_t> U16(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(auto a, Fixed<2>(name));
    return static_cast<uint16_t>(a[0] << 8 | a[1]);
  }
  Result<uint32_t> U32(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(auto a, Fixed<4>(name));
    ByteReader r(a);
    return r.U32();
  }
  Result<uint64_t> U64(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(auto a, Fixed<8>(name));
    ByteReader r(a);
    return r.U64();
  }
  Result<Time> TimeField(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(uint64_t v, U64(name));
    return static_cast<Time>(v);
  }
  Result<Pseudonym> Id(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(auto a, Fixed<8>(name));
    return IdFrom(name, a);
  }
  Result<std::string> Text(const std::string& name, size_t max_bytes) {
    AMANAH_ASSIGN_OR_RETURN(ByteView b, Required(name));
    std::string s = AsString(b);
    if (!IsValidText(s, max_bytes)) return Malformed("entry field " + name + " is not valid text");
    return s;
  }
  // A list of pseudonyms: absent when empty (§9.2).
  Result<std::vector<Pseudonym>> IdList(const std::string& name) {
    std::vector<Pseudonym> out;
    const Bytes* b = Optional(name);
    if (!b) return out;
    if (b->empty() || b->size() % 8 != 0) {
      return Malformed("entry field " + name + " is not a list of ids");
    }
    std::set<Pseudonym> seen;
    for (size_t i = 0; i < b->size(); i += 8) {
      std::array<uint8_t, 8> a;
      std::copy(b->begin() + i, b->begin() + i + 8, a.begin());
      AMANAH_ASSIGN_OR_RETURN(Pseudonym p, IdFrom(name, a));
      // §9.2: a list names each person once; a repeat is malformed, not left to the rules.
      if (!seen.insert(p).second) return Malformed("entry field " + name + " repeats an id");
      out.push_back(p);
    }
    return out;
  }
  // A list of texts as concatenated LP(s): absent when empty (§9.2).
  Result<std::vector<std::string>> TextList(const std::string& name, size_t max_bytes) {
    std::vector<std::string> out;
    const Bytes* b = Optional(name);
    if (!b) return out;
    if (b->empty()) return Malformed("entry field " + name + " is empty");
    ByteReader r(*b);
    while (r.remaining() > 0) {
      auto item = r.LP();
      if (!item.ok()) return Malformed("entry field " + name + " is not a list of texts");
      std::string s = AsString(*item);
      if (!IsValidText(s, max_bytes)) {
        return Malformed("entry field " + name + " is not valid text");
      }
      out.push_back(std::move(s));
    }
    return out;
  }
  Result<PublicKey> Key(const std::string& name) {
    AMANAH_ASSIGN_OR_RETURN(ByteView b, Required(name));
    const std::string text = AsString(b);
    auto key = ParsePublicKey(text);
    // Only the canonical file text (LF endings, final LF): one key has one encoding.
    if (!key.ok() || FormatPublicKey(*key) != text) {
      return Malformed("entry field " + name + " is not a canonical public key file");
    }
    return *key;
  }

  Status Done() const {
    for (const auto& [name, value] : fields_) {
      if (std::find(read_.begin(), read_.end(), &name) == read_.end()) {
        return Malformed("entry has an unexpected field " + name);
      }
    }
    return Status::Ok();
  }

 private:
  static Result<Pseudonym> IdFrom(const std::string& name, const std::array<uint8_t, 8>& a) {
    uint64_t v = 0;
    for (uint8_t b : a) v = v << 8 | b;
    auto p = Pseudonym::FromValue(v);
    if (!p.ok()) return Malformed("entry field " + name + " is not a pseudonym");
    return *p;
  }

  const std::map<std::string, Bytes>& fields_;
  // The names of the fields read, as the map's own keys (an entry has a few: a list, not a
  // set of copies).
  std::vector<const std::string*> read_;
};

// --- bodies to fields -------------------------------------------------------------------------

using Fields = std::map<std::string, Bytes>;

Fields ToFields(const InitBody& b) {
  return {{"config", b.config_file},
          {"log_key", Str(b.log_key)},
          {"operator_key", Str(FormatPublicKey(b.operator_key))},
          {"origin", Str(b.log_origin)}};
}
Fields ToFields(const RegisterActorBody& b) {
  Fields f{{"key", Str(FormatPublicKey(b.key))}};
  if (b.org_kind) f["org_kind"] = U8(static_cast<uint8_t>(*b.org_kind));
  if (!b.organisation.empty()) f["organisation"] = Str(b.organisation);
  return f;
}
Fields ToFields(const AttestBody& b) {
  Fields f{{"custodian", U16(b.custodian)},
           {"kind", U8(static_cast<uint8_t>(b.kind))},
           {"subject", Raw(b.subject)}};
  if (b.kind != AttestationKind::kSuspend) f["expires"] = TimeBytes(b.expires);
  return f;
}
Fields ToFields(const EnrolBody& b) {
  return {{"attributes", b.attributes},
          {"c1", Raw(b.c1)},
          {"ciphertext_hash", Raw(b.ciphertext_hash)},
          {"id", Raw(b.id.RecordId())},
          {"record_signature", Raw(b.record_signature)}};
}
Fields ToFields(const WithdrawBody& b) {
  return {{"id", Raw(b.id.RecordId())}, {"reason", Str(b.reason)}};
}
Fields ToFields(const PlanBody& b) {
  const Plan& p = b.plan;
  Fields f{{"capacity", U32(p.capacity_seats)},
           {"guarantor", Str(p.guarantor)},
           {"id", Raw(p.id)},
           {"tolerance", U32(p.tolerance_minutes)},
           {"window_end", TimeBytes(p.window_end)},
           {"window_start", TimeBytes(p.window_start)}};
  if (!p.people.empty()) f["people"] = Ids(p.people);
  if (!p.route.empty()) f["route"] = Texts(p.route);
  return f;
}
Fields ToFields(const ReleaseRequestBody& b) {
  Fields f{{"excluded", U32(b.excluded)}, {"plan", Raw(b.plan)}, {"release", Raw(b.release)}};
  if (!b.people.empty()) f["people"] = Ids(b.people);
  return f;
}
Fields ToFields(const ApproveBody& b) {
  return {{"checkpoint_size", U64(b.checkpoint_size)},
          {"custodian", U16(b.custodian)},
          {"partial_hash", Raw(b.partial_hash)},
          {"release", Raw(b.release)}};
}
Fields ToFields(const RefuseBody& b) {
  return {{"custodian", U16(b.custodian)}, {"reason", Str(b.reason)}, {"release", Raw(b.release)}};
}
Fields ToFields(const OpenBody& b) { return {{"release", Raw(b.release)}}; }
Fields ToFields(const SightingBody& b) {
  return {{"person", Raw(b.person.RecordId())}, {"plan", Raw(b.plan)}, {"point", Str(b.point)}};
}
Fields ToFields(const PlanEventBody& b) {
  const PlanEvent& e = b.event;
  Fields f{{"kind", U8(static_cast<uint8_t>(e.kind))},
           {"person", Raw(e.person.RecordId())},
           {"plan", Raw(e.plan)},
           {"reason", Str(e.reason)}};
  if (e.replacement) f["replacement"] = Raw(e.replacement->RecordId());
  return f;
}

template <typename T>
constexpr EntryType TypeOf();
template <> constexpr EntryType TypeOf<InitBody>() { return EntryType::kInit; }
template <> constexpr EntryType TypeOf<RegisterActorBody>() { return EntryType::kRegisterActor; }
template <> constexpr EntryType TypeOf<AttestBody>() { return EntryType::kAttest; }
template <> constexpr EntryType TypeOf<EnrolBody>() { return EntryType::kEnrol; }
template <> constexpr EntryType TypeOf<WithdrawBody>() { return EntryType::kWithdraw; }
template <> constexpr EntryType TypeOf<PlanBody>() { return EntryType::kPlan; }
template <> constexpr EntryType TypeOf<ReleaseRequestBody>() { return EntryType::kReleaseRequest; }
template <> constexpr EntryType TypeOf<ApproveBody>() { return EntryType::kApprove; }
template <> constexpr EntryType TypeOf<RefuseBody>() { return EntryType::kRefuse; }
template <> constexpr EntryType TypeOf<OpenBody>() { return EntryType::kOpen; }
template <> constexpr EntryType TypeOf<SightingBody>() { return EntryType::kSighting; }
template <> constexpr EntryType TypeOf<PlanEventBody>() { return EntryType::kPlanEvent; }

// --- fields to bodies (strict) ----------------------------------------------------------------

Result<Body> ReadInit(FieldReader& r) {
  InitBody b;
  AMANAH_ASSIGN_OR_RETURN(ByteView config, r.Required("config"));
  const std::string config_text = AsString(config);
  auto parsed = ParseConfigFile(config_text);
  if (!parsed.ok() || FormatConfigFile(*parsed) != config_text) {
    return Malformed("entry field config is not a canonical config file");
  }
  b.config_file.assign(config.begin(), config.end());
  AMANAH_ASSIGN_OR_RETURN(ByteView log_key, r.Required("log_key"));
  b.log_key = AsString(log_key);
  auto vkey = note::VerifierKey::Parse(b.log_key);
  if (!vkey.ok() || vkey->ToString() != b.log_key) {
    return Malformed("entry field log_key is not a verifier key");
  }
  // §9.3: the log's key is an Ed25519 checkpoint key (type 0x01); any other type is malformed.
  if (vkey->type() != note::kTypeEd25519) {
    return Malformed("entry field log_key is not an Ed25519 verifier key");
  }
  AMANAH_ASSIGN_OR_RETURN(b.operator_key, r.Key("operator_key"));
  AMANAH_ASSIGN_OR_RETURN(b.log_origin, r.Text("origin", kOriginText));
  return Body(std::move(b));
}

Result<Body> ReadRegisterActor(FieldReader& r) {
  RegisterActorBody b;
  AMANAH_ASSIGN_OR_RETURN(b.key, r.Key("key"));
  if (r.Optional("org_kind")) {
    AMANAH_ASSIGN_OR_RETURN(uint8_t kind, r.U8("org_kind"));
    if (kind < 1 || kind > 4) return Malformed("entry field org_kind is out of range");
    b.org_kind = static_cast<OrgKind>(kind);
  }
  if (r.Optional("organisation")) {
    AMANAH_ASSIGN_OR_RETURN(b.organisation, r.Text("organisation", kShortText));
  }
  return Body(std::move(b));
}

Result<Body> ReadAttest(FieldReader& r) {
  AttestBody b;
  AMANAH_ASSIGN_OR_RETURN(b.custodian, r.U16("custodian"));
  if (b.custodian == 0) return Malformed("entry field custodian is out of range");
  AMANAH_ASSIGN_OR_RETURN(uint8_t kind, r.U8("kind"));
  if (kind < 1 || kind > 3) return Malformed("entry field kind is out of range");
  b.kind = static_cast<AttestationKind>(kind);
  AMANAH_ASSIGN_OR_RETURN(b.subject, r.Fixed<10>("subject"));
  if (b.kind == AttestationKind::kSuspend) {
    if (r.Optional("expires")) return Malformed("a suspension has no expires field");
  } else {
    AMANAH_ASSIGN_OR_RETURN(b.expires, r.TimeField("expires"));
  }
  return Body(std::move(b));
}

Result<Body> ReadEnrol(FieldReader& r) {
  EnrolBody b;
  AMANAH_ASSIGN_OR_RETURN(ByteView attributes, r.Required("attributes"));
  if (!record::CheckAttributesEncoding(attributes).ok()) {
    return Malformed("entry field attributes is not a canonical encoding");
  }
  b.attributes.assign(attributes.begin(), attributes.end());
  AMANAH_ASSIGN_OR_RETURN(ByteView c1, r.Required("c1"));
  auto element = group::DecodeElement(c1);
  if (!element.ok()) return Malformed("entry field c1 is not a valid element");
  b.c1 = *element;
  AMANAH_ASSIGN_OR_RETURN(b.ciphertext_hash, r.Fixed<32>("ciphertext_hash"));
  AMANAH_ASSIGN_OR_RETURN(b.id, r.Id("id"));
  AMANAH_ASSIGN_OR_RETURN(b.record_signature, r.Fixed<64>("record_signature"));
  return Body(std::move(b));
}

Result<Body> ReadWithdraw(FieldReader& r) {
  WithdrawBody b;
  AMANAH_ASSIGN_OR_RETURN(b.id, r.Id("id"));
  AMANAH_ASSIGN_OR_RETURN(ByteView reason, r.Required("reason"));
  b.reason = AsString(reason);
  if (b.reason != "request" && b.reason != "deceased" && b.reason != "duplicate" &&
      b.reason != "safety") {
    return Malformed("entry field reason is not a withdrawal code");
  }
  return Body(std::move(b));
}

Result<Body> ReadPlan(FieldReader& r) {
  PlanBody b;
  Plan& p = b.plan;
  AMANAH_ASSIGN_OR_RETURN(p.capacity_seats, r.U32("capacity"));
  AMANAH_ASSIGN_OR_RETURN(p.guarantor, r.Text("guarantor", kShortText));
  AMANAH_ASSIGN_OR_RETURN(p.id, r.Fixed<16>("id"));
  AMANAH_ASSIGN_OR_RETURN(p.people, r.IdList("people"));
  AMANAH_ASSIGN_OR_RETURN(p.route, r.TextList("route", kShortText));
  AMANAH_ASSIGN_OR_RETURN(p.tolerance_minutes, r.U32("tolerance"));
  AMANAH_ASSIGN_OR_RETURN(p.window_end, r.TimeField("window_end"));
  AMANAH_ASSIGN_OR_RETURN(p.window_start, r.TimeField("window_start"));
  return Body(std::move(b));
}

Result<Body> ReadReleaseRequest(FieldReader& r) {
  ReleaseRequestBody b;
  AMANAH_ASSIGN_OR_RETURN(b.excluded, r.U32("excluded"));
  AMANAH_ASSIGN_OR_RETURN(b.people, r.IdList("people"));
  AMANAH_ASSIGN_OR_RETURN(b.plan, r.Fixed<16>("plan"));
  AMANAH_ASSIGN_OR_RETURN(b.release, r.Fixed<16>("release"));
  return Body(std::move(b));
}

Result<Body> ReadApprove(FieldReader& r) {
  ApproveBody b;
  AMANAH_ASSIGN_OR_RETURN(b.checkpoint_size, r.U64("checkpoint_size"));
  AMANAH_ASSIGN_OR_RETURN(b.custodian, r.U16("custodian"));
  if (b.custodian == 0) return Malformed("entry field custodian is out of range");
  AMANAH_ASSIGN_OR_RETURN(b.partial_hash, r.Fixed<32>("partial_hash"));
  AMANAH_ASSIGN_OR_RETURN(b.release, r.Fixed<16>("release"));
  return Body(std::move(b));
}

Result<Body> ReadRefuse(FieldReader& r) {
  RefuseBody b;
  AMANAH_ASSIGN_OR_RETURN(b.custodian, r.U16("custodian"));
  if (b.custodian == 0) return Malformed("entry field custodian is out of range");
  AMANAH_ASSIGN_OR_RETURN(b.reason, r.Text("reason", kReasonText));
  AMANAH_ASSIGN_OR_RETURN(b.release, r.Fixed<16>("release"));
  return Body(std::move(b));
}

Result<Body> ReadOpen(FieldReader& r) {
  OpenBody b;
  AMANAH_ASSIGN_OR_RETURN(b.release, r.Fixed<16>("release"));
  return Body(std::move(b));
}

Result<Body> ReadSighting(FieldReader& r) {
  SightingBody b;
  AMANAH_ASSIGN_OR_RETURN(b.person, r.Id("person"));
  AMANAH_ASSIGN_OR_RETURN(b.plan, r.Fixed<16>("plan"));
  AMANAH_ASSIGN_OR_RETURN(b.point, r.Text("point", kShortText));
  return Body(std::move(b));
}

Result<Body> ReadPlanEvent(FieldReader& r) {
  PlanEventBody b;
  PlanEvent& e = b.event;
  AMANAH_ASSIGN_OR_RETURN(uint8_t kind, r.U8("kind"));
  if (kind < 1 || kind > 2) return Malformed("entry field kind is out of range");
  e.kind = static_cast<PlanEventKind>(kind);
  AMANAH_ASSIGN_OR_RETURN(e.person, r.Id("person"));
  AMANAH_ASSIGN_OR_RETURN(e.plan, r.Fixed<16>("plan"));
  AMANAH_ASSIGN_OR_RETURN(e.reason, r.Text("reason", kReasonText));
  if (e.kind == PlanEventKind::kSubstituted) {
    AMANAH_ASSIGN_OR_RETURN(e.replacement, r.Id("replacement"));
  } else if (r.Optional("replacement")) {
    return Malformed("a withdrawal from a plan has no replacement");
  }
  return Body(std::move(b));
}

}  // namespace

std::string_view EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kInit: return "init";
    case EntryType::kRegisterActor: return "register-actor";
    case EntryType::kAttest: return "attest";
    case EntryType::kEnrol: return "enrol";
    case EntryType::kWithdraw: return "withdraw";
    case EntryType::kPlan: return "plan";
    case EntryType::kReleaseRequest: return "release-request";
    case EntryType::kApprove: return "approve";
    case EntryType::kRefuse: return "refuse";
    case EntryType::kOpen: return "open";
    case EntryType::kSighting: return "sighting";
    case EntryType::kPlanEvent: return "plan-event";
  }
  return "?";
}

namespace {

// The size of docs/spec.md §9.1's encoding of `e` without its signature.
size_t UnsignedSize(const Entry& e) {
  size_t size = 2 + 1 + 8 + e.actor.size() + 2;
  for (const auto& [name, value] : e.fields) size += 2 + name.size() + 4 + value.size();
  return size;
}

// docs/spec.md §9.1 without the signature.
void EncodeUnsigned(const Entry& e, ByteWriter& w) {
  w.U16(kEntryVersion)
      .U8(static_cast<uint8_t>(e.type))
      .U64(static_cast<uint64_t>(e.time))
      .Raw(e.actor)
      .U16(static_cast<uint16_t>(e.fields.size()));
  for (const auto& [name, value] : e.fields) {
    w.LP(name).U32(static_cast<uint32_t>(value.size())).Raw(value);
  }
}

}  // namespace

Bytes Entry::Encode() const {
  // docs/spec.md §9.1
  ByteWriter w(UnsignedSize(*this) + kSignatureBytes);
  EncodeUnsigned(*this, w);
  w.Raw(signature);
  return w.Take();
}

Result<Entry> Entry::Parse(ByteView bytes) {
  // docs/spec.md §9.1: strict.
  ByteReader r(bytes);
  Entry e;
  AMANAH_ASSIGN_OR_RETURN(uint16_t version, r.U16());
  if (version != kEntryVersion) return Malformed("unknown log entry version");
  AMANAH_ASSIGN_OR_RETURN(uint8_t type, r.U8());
  if (type < 1 || type > 12) return Malformed("unknown log entry type");
  e.type = static_cast<EntryType>(type);
  AMANAH_ASSIGN_OR_RETURN(uint64_t time, r.U64());
  e.time = static_cast<Time>(time);
  AMANAH_ASSIGN_OR_RETURN(ByteView actor, r.Raw(e.actor.size()));
  std::copy(actor.begin(), actor.end(), e.actor.begin());
  AMANAH_ASSIGN_OR_RETURN(uint16_t count, r.U16());
  if (count > kMaxFields) return Malformed("too many log entry fields");
  std::string previous;
  for (uint16_t i = 0; i < count; ++i) {
    AMANAH_ASSIGN_OR_RETURN(ByteView name_bytes, r.LP());
    std::string name = AsString(name_bytes);
    if (!ValidFieldName(name)) return Malformed("log entry field name is not valid");
    if (i > 0 && !(previous < name)) {
      return Malformed("log entry fields are not in strictly ascending order");
    }
    AMANAH_ASSIGN_OR_RETURN(uint32_t len, r.U32());
    if (len > r.remaining()) return Malformed("log entry is truncated");
    AMANAH_ASSIGN_OR_RETURN(ByteView value, r.Raw(len));
    e.fields.emplace(name, Bytes(value.begin(), value.end()));
    previous = std::move(name);
  }
  AMANAH_ASSIGN_OR_RETURN(ByteView sig, r.Raw(kSignatureBytes));
  std::copy(sig.begin(), sig.end(), e.signature.begin());
  AMANAH_RETURN_IF_ERROR(r.Finish());
  return e;
}

Bytes EntrySigningMessage(const record::RegistryId& registry_id, const Entry& entry) {
  // docs/spec.md §9.1: the signature covers every byte of the entry but itself.
  ByteWriter w(2 + kLogEntryDst.size() + registry_id.size() + UnsignedSize(entry));
  w.LP(kLogEntryDst).Raw(registry_id);
  EncodeUnsigned(entry, w);
  return w.Take();
}

void SignEntry(Entry& entry, const SecretKey& key, const record::RegistryId& registry_id) {
  entry.signature = Sign(key, EntrySigningMessage(registry_id, entry));
}

void SignEntry(Entry& entry, const Signer& signer, const record::RegistryId& registry_id) {
  entry.signature = signer.Sign(EntrySigningMessage(registry_id, entry));
}

Status VerifyEntrySignature(const Entry& entry, const Key32& sign_key,
                            const record::RegistryId& registry_id) {
  if (!VerifySignature(sign_key, EntrySigningMessage(registry_id, entry), entry.signature).ok()) {
    return VerifyFailed("the entry's signature does not verify");
  }
  return Status::Ok();
}

namespace {

// docs/spec.md §9.3: an enrol's record signature and the message it signs, from the fields'
// bytes. kMalformed if a signed field is missing or of the wrong length.
struct RecordSigned {
  Bytes message;
  const Bytes* signature;
};
Result<RecordSigned> RecordSignatureOf(const Entry& entry, const record::RegistryId& registry_id) {
  auto field = [&entry](const char* name, size_t size) -> const Bytes* {
    auto found = entry.fields.find(name);
    if (found == entry.fields.end() || (size != 0 && found->second.size() != size)) {
      return nullptr;
    }
    return &found->second;
  };
  const Bytes* id = field("id", record::kRecordIdBytes);
  const Bytes* c1 = field("c1", group::kElementBytes);
  const Bytes* hash = field("ciphertext_hash", 32);
  const Bytes* attributes = field("attributes", 0);
  const Bytes* signature = field("record_signature", 64);
  if (!id || !c1 || !hash || !attributes || !signature) {
    return Malformed("the enrol entry's signed fields do not parse");
  }
  record::RecordId record_id;
  group::Element c1_bytes;
  std::array<uint8_t, 32> ciphertext_hash;
  std::copy(id->begin(), id->end(), record_id.begin());
  std::copy(c1->begin(), c1->end(), c1_bytes.begin());
  std::copy(hash->begin(), hash->end(), ciphertext_hash.begin());
  return RecordSigned{
      record::SignatureMessage(registry_id, record_id, c1_bytes, ciphertext_hash, *attributes),
      signature};
}

}  // namespace

Status VerifyEntryAndRecordSignatures(const Entry& entry, const Key32& key,
                                      const record::RegistryId& registry_id,
                                      const VerifyingKey* prepared) {
  if (prepared != nullptr && prepared->key() != key) prepared = nullptr;
  auto verify = [&](ByteView message, ByteView signature) {
    return prepared != nullptr ? prepared->Verify(message, signature)
                               : VerifySignature(key, message, signature);
  };
  if (!verify(EntrySigningMessage(registry_id, entry), entry.signature).ok()) {
    return VerifyFailed("the entry's signature does not verify");
  }
  if (entry.type != EntryType::kEnrol) return Status::Ok();
  AMANAH_ASSIGN_OR_RETURN(RecordSigned record, RecordSignatureOf(entry, registry_id));
  if (!verify(record.message, *record.signature).ok()) {
    return VerifyFailed("the enrol entry's record signature does not verify");
  }
  return Status::Ok();
}

Status AddEntryAndRecordSignatures(SignatureBatch& batch, const Entry& entry, const Key32& key,
                                   const record::RegistryId& registry_id,
                                   const VerifyingKey* prepared) {
  if (prepared != nullptr && prepared->key() != key) prepared = nullptr;
  if (entry.type == EntryType::kEnrol) {
    AMANAH_ASSIGN_OR_RETURN(RecordSigned record, RecordSignatureOf(entry, registry_id));
    batch.Add(key, record.message, *record.signature, prepared);
  }
  batch.Add(key, EntrySigningMessage(registry_id, entry), entry.signature, prepared);
  return Status::Ok();
}

Entry MakeEntry(const Body& body, Time time, const Fingerprint& actor) {
  Entry e;
  e.time = time;
  e.actor = actor;
  std::visit(
      [&e](const auto& b) {
        e.type = TypeOf<std::decay_t<decltype(b)>>();
        e.fields = ToFields(b);
      },
      body);
  return e;
}

Result<Body> ReadBody(const Entry& entry) {
  FieldReader r(entry);
  Result<Body> body = Malformed("unknown log entry type");
  switch (entry.type) {
    case EntryType::kInit: body = ReadInit(r); break;
    case EntryType::kRegisterActor: body = ReadRegisterActor(r); break;
    case EntryType::kAttest: body = ReadAttest(r); break;
    case EntryType::kEnrol: body = ReadEnrol(r); break;
    case EntryType::kWithdraw: body = ReadWithdraw(r); break;
    case EntryType::kPlan: body = ReadPlan(r); break;
    case EntryType::kReleaseRequest: body = ReadReleaseRequest(r); break;
    case EntryType::kApprove: body = ReadApprove(r); break;
    case EntryType::kRefuse: body = ReadRefuse(r); break;
    case EntryType::kOpen: body = ReadOpen(r); break;
    case EntryType::kSighting: body = ReadSighting(r); break;
    case EntryType::kPlanEvent: body = ReadPlanEvent(r); break;
  }
  if (!body.ok()) return body;
  AMANAH_RETURN_IF_ERROR(r.Done());
  return body;
}

std::optional<PublicKey> CarriedKey(const Body& body) {
  if (const auto* init = std::get_if<InitBody>(&body)) return init->operator_key;
  if (const auto* reg = std::get_if<RegisterActorBody>(&body)) return reg->key;
  return std::nullopt;
}

Status VerifyEntry(const Entry& entry, const Body& body, const PublicKey& key,
                   const record::RegistryId& registry_id) {
  return VerifyEntryUnless(entry, body, key, registry_id, nullptr);
}

Status VerifyEntryUnless(const Entry& entry, const Body& /*body*/, const PublicKey& key,
                         const record::RegistryId& registry_id,
                         const VerifiedSignatures* verified) {
  // docs/spec.md §9.1: with another fingerprint there is no key to verify under.
  if (key.FingerprintBytes() != entry.actor) {
    return VerifyFailed("the entry's actor is not the fingerprint of the signer's key");
  }
  if (verified != nullptr && verified->sign_key == key.sign &&
      verified->registry_id == registry_id) {
    return Status::Ok();  // the caller verified both signatures under exactly these
  }
  // docs/spec.md §9.3: an enrol's record signature, same key and registry id, is part of
  // checking the entry, so no reader accepts an enrolment the registry would refuse. (The
  // caller read the body; VerifyEntryAndRecordSignatures reads the same fields' bytes.)
  return VerifyEntryAndRecordSignatures(entry, key.sign, registry_id);
}

}  // namespace amanah::registry
