// `amanah demo`: the protocol's life in one process, printed step by step — a 3-of-5 dealer
// ceremony, one sealed record, and a threshold opening. Every person here is synthetic.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <ostream>
#include <string>

#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/pseudonym.h"
#include "amanah/record.h"
#include "amanah/release.h"
#include "cli.h"

namespace amanah::cli {
namespace {

constexpr uint16_t kK = 3;
constexpr uint16_t kN = 5;

// The demo's step failures are bugs (every input is generated here), reported like any error.
#define DEMO_TRY(lhs, expr) \
  AMANAH_ASSIGN_OR_RETURN_IMPL_(AMANAH_CONCAT_(demo_result_, __LINE__), lhs, expr)

std::string Short(ByteView b) { return ToHex(b.first(std::min<size_t>(b.size(), 8))) + "…"; }

std::string Indices(std::span<const uint16_t> indices) {
  std::string s;
  for (uint16_t i : indices) s += (s.empty() ? "" : ", ") + std::to_string(i);
  return s;
}

Status Demo(std::ostream& out) {
  out << "Amanah demo: a 3-of-5 registry, one sealed record, one threshold opening.\n"
         "Every name and key below is synthetic and made for this run.\n\n";

  out << "1. Keys. Each person holds an Ed25519 signing key and a ristretto255 encryption key.\n";
  std::vector<SecretKey> custodians;
  const char* orgs[kN] = {"press-freedom-ngo", "medical-ngo", "un-agency", "legal-ngo",
                          "rescue-ngo"};
  for (uint16_t i = 0; i < kN; ++i) {
    DEMO_TRY(SecretKey key, GenerateKey(Role::kCustodian, orgs[i]));
    out << "  custodian " << i + 1 << " (" << orgs[i] << ")  fingerprint "
        << key.pub.Fingerprint() << "\n";
    custodians.push_back(std::move(key));
  }
  DEMO_TRY(SecretKey enroller, GenerateKey(Role::kEnroller, "list-keeper-aleppo"));
  DEMO_TRY(SecretKey official, GenerateKey(Role::kOfficial, "evacuation-officer"));
  DEMO_TRY(SecretKey other_official, GenerateKey(Role::kOfficial, "another-officer"));
  out << "  enroller fingerprint " << enroller.pub.Fingerprint() << "\n"
      << "  official fingerprint " << official.pub.Fingerprint() << "\n\n";

  out << "2. Ceremony (offline dealer): the registry key x is split 3-of-5, then wiped.\n";
  CeremonyInput input;
  input.registry_id.resize(16);
  SystemRng().Fill(input.registry_id);
  input.name = "demo-registry";
  input.k = kK;
  input.n = kN;
  for (const auto& c : custodians) input.custodians.push_back(c.pub);
  SecretBytes dealer_seed(32);
  SystemRng().Fill(dealer_seed.RevealMutable());
  DEMO_TRY(CeremonyOutput ceremony, RunCeremony(input, dealer_seed));
  SignedConfig& config = ceremony.config;
  out << "  registry key X = " << Short(config.config.x_pub) << "  config hash "
      << Short(config.config.Hash()) << "\n";
  std::vector<SecretBytes> shares;
  for (uint16_t i = 1; i <= kN; ++i) {
    const Bytes& sealed = ceremony.sealed_shares[i - 1];
    DEMO_TRY(Acceptance acc, AcceptConfig(config, i, custodians[i - 1], sealed));
    config.acceptances.push_back(acc);
    DEMO_TRY(SecretBytes share,
             OpenShare(config.config, i, custodians[i - 1].enc, sealed));
    shares.push_back(std::move(share));
  }
  out << "  5 of 5 custodians verified their shares against the Feldman commitments\n";
  AMANAH_RETURN_IF_ERROR(VerifyConfig(config, kN));
  out << "  config verifies: dealer signature and 5 acceptances\n\n";

  out << "3. Enrolment (on the enroller's phone): the identity is sealed before it leaves.\n";
  record::RegistryId registry_id;
  std::copy(input.registry_id.begin(), input.registry_id.end(), registry_id.begin());
  const Pseudonym id = Pseudonym::Generate();
  const std::string name = "د. محمد الحلبي (Dr. Mohammed al-Halabi)";
  const std::string payload = "{\"name\":\"" + name + "\",\"birth_year\":1979}";
  DEMO_TRY(record::SealedRecord sealed,
           record::SealRecord(registry_id, id.RecordId(), config.config.x_pub, AsBytes(payload)));
  record::Attributes attributes = {{"consent", "un,icrc,ngo"}, {"district", "al-mashhad"},
                                   {"household", "3"}, {"needs", "medical"},
                                   {"role", "medic"}};
  DEMO_TRY(Bytes attr_bytes, record::EncodeAttributes(attributes));
  DEMO_TRY(record::Signature record_sig,
           record::SignRecord(enroller.sign_seed, registry_id, sealed, attr_bytes));
  AMANAH_RETURN_IF_ERROR(record::VerifyRecordSignature(enroller.pub.sign, registry_id, sealed,
                                                       attr_bytes, record_sig));
  out << "  pseudonym " << id.ToString() << " (QR payload " << id.QrPayload() << ")\n"
      << "  operator sees: " << id.ToString() << "  C1 " << Short(sealed.c1) << "  "
      << sealed.ciphertext.size() << " bytes of ciphertext\n"
      << "  operator sees:";
  DEMO_TRY(record::Attributes held, record::ParseAttributes(attr_bytes));  // what the server keeps
  for (const auto& [key, value] : held) out << " " << key << "=" << value;
  out << ", signed by the enroller\n\n";

  out << "4. Release: custodians make partial decryptions with DLEQ proofs, sealed to the "
         "official.\n";
  release::ReleaseId release_id;
  SystemRng().Fill(release_id);
  std::vector<record::SealedRecord> records = {sealed};
  std::vector<release::SealedPartial> partials;
  auto partial_of = [&](uint16_t i) -> Result<release::SealedPartial> {
    AMANAH_ASSIGN_OR_RETURN(
        release::Partial p,
        release::MakePartial(registry_id, release_id, i, shares[i - 1], records));
    AMANAH_ASSIGN_OR_RETURN(Bytes box,
                            release::SealPartial(official.pub.enc, registry_id, release_id, p));
    return release::SealedPartial{i, std::move(box)};
  };
  release::RegistryKeys keys{config.config.x_pub, kK, {}};
  for (uint16_t i = 1; i <= kN; ++i) {
    keys.custodians.push_back({i, config.config.verification_shares[i - 1]});
  }

  for (uint16_t i : {1, 3}) {
    DEMO_TRY(auto p, partial_of(i));
    partials.push_back(std::move(p));
  }
  auto two = release::OpenRelease(official.enc, keys, registry_id, release_id, records, partials);
  out << "  with custodians 1, 3: " << (two.ok() ? "OPENED (bug!)" : two.status().message())
      << "\n";

  // Custodian 4's partial is made with a wrong share: its proof cannot verify.
  {
    SecretBytes wrong = shares[3].Clone();
    wrong.RevealMutable()[0] ^= 1;
    DEMO_TRY(release::Partial p, release::MakePartial(registry_id, release_id, 4, wrong, records));
    DEMO_TRY(Bytes box, release::SealPartial(official.pub.enc, registry_id, release_id, p));
    partials.push_back({4, std::move(box)});
  }
  auto bad = release::OpenRelease(official.enc, keys, registry_id, release_id, records, partials);
  out << "  with custodians 1, 3 and a tampered 4: "
      << (bad.ok() ? "OPENED (bug!)" : bad.status().message()) << "\n";

  DEMO_TRY(auto p5, partial_of(5));
  partials.push_back(std::move(p5));
  auto other = release::OpenRelease(other_official.enc, keys, registry_id, release_id, records,
                                    partials);
  if (!other.ok()) out << "  another official cannot open the partials: sealed to someone else\n";

  DEMO_TRY(release::Opened opened, release::OpenRelease(official.enc, keys, registry_id,
                                                        release_id, records, partials));
  out << "  opened with custodians " << Indices(opened.combined)
      << "; partials that failed, by custodian: " << Indices(opened.failed_custodians) << "\n"
      << "  official reads: " << AsString(opened.payloads[0].Reveal()).substr(9, name.size())
      << "\n\nThe registry key x was never rebuilt: the official combined k partial "
         "decryptions of this one record.\n";
  return Status::Ok();
}

}  // namespace

int RunDemo(std::ostream& out) {
  Status s = Demo(out);
  out.flush();
  return s.ok() ? 0 : Fail(s);
}

void AddDemoCommands(CLI::App& app, Context& ctx) {
  auto* demo = app.add_subcommand(
      "demo", "Run a 3-of-5 ceremony, seal a record and open it with 3 custodians, step by step");
  demo->footer("Example:\n  amanah demo");
  OnRun(demo, ctx, [&ctx]() -> Status {
    Status s = Demo(ctx.console.out());
    ctx.console.out().flush();
    return s;
  });
}

}  // namespace amanah::cli
