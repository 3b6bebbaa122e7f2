// amanah_test_fixture: builds, for the transcript tests of the registry commands, a populated
// local registry folder exactly as src/cli/registry_ctx.h describes it, and tampers with one
// on request. Test-only: it writes people's names to a file so that a test can check that a
// manifest carries them, and it seals keys with the cheap test KDF.
//
//   amanah_test_fixture make --out DIR [--people N] [--k K] [--n N] [--now T] [--origin O]
//     DIR/registry/{registry.db,config.amanah,operator.key,operator.key.pub}
//     DIR/keys/{c1..cN,official,official-ngo,enroller,monitor}.key(.pub)
//     DIR/shares/share-<i>.sealed     DIR/ids.txt    DIR/names.txt
//   Keys are sealed with $AMANAH_PASSPHRASE, operator.key with $AMANAH_OPERATOR_PASSPHRASE.
//   The official is of kind "un", official-ngo of kind "ngo". Person 0 is a patient
//   (household 3, 2 companions); person 1 consents to NGOs only; the others to the UN.
//
//   amanah_test_fixture tamper --db FILE --entry N   flips one byte of log entry N
//
// Prints only counts and paths, never a name.
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "../../src/cli/common.h"
#include "amanah/ceremony.h"
#include "amanah/keys.h"
#include "amanah/random.h"
#include "amanah/registry/client.h"
#include "amanah/registry/registry.h"
#include "amanah/registry/sqlite_store.h"

namespace amanah {
namespace {

using registry::Time;

class FixedClock final : public registry::Clock {
 public:
  Time Now() override { return now; }
  Time now = 0;
};

Status Check(const Status& s, const std::string& what) {
  if (!s.ok()) std::cerr << "fixture: " << what << ": " << s.ToString() << "\n";
  return s;
}

bool WriteFile(const std::filesystem::path& path, const std::string& data, bool secret) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << data;
  f.close();
  ::chmod(path.c_str(), secret ? 0600 : 0644);
  return static_cast<bool>(f);
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int Make(std::map<std::string, std::string> args) {
  const std::filesystem::path out = args["--out"];
  const int people = std::stoi(args.count("--people") ? args["--people"] : "6");
  const uint16_t k = static_cast<uint16_t>(std::stoi(args.count("--k") ? args["--k"] : "3"));
  const uint16_t n = static_cast<uint16_t>(std::stoi(args.count("--n") ? args["--n"] : "5"));
  const std::string origin = args.count("--origin") ? args["--origin"] : "amanah.test/registry";
  FixedClock clock;
  clock.now = std::stoll(args.count("--now") ? args["--now"] : "1765000000");
  const std::string pass = Env("AMANAH_PASSPHRASE"), op_pass = Env("AMANAH_OPERATOR_PASSPHRASE");
  if (out.empty() || pass.empty() || op_pass.empty()) {
    std::cerr << "fixture: need --out, AMANAH_PASSPHRASE and AMANAH_OPERATOR_PASSPHRASE\n";
    return 2;
  }
  for (const char* sub : {"registry", "keys", "shares"}) std::filesystem::create_directories(out / sub);
  const SecretBytes user_pass = SecretBytes::CopyFrom(AsBytes(pass));
  const SecretBytes operator_pass = SecretBytes::CopyFrom(AsBytes(op_pass));
  const KdfParams test_kdf{1, 8};

  auto save = [&](const SecretKey& key, const std::filesystem::path& path,
                  const SecretBytes& passphrase) {
    auto sealed = SealSecretKey(key, passphrase, test_kdf);
    return sealed.ok() && WriteFile(path, *sealed, true) &&
           WriteFile(path.string() + ".pub", FormatPublicKey(key.pub), false);
  };
  auto make_key = [&](Role role, const std::string& label) {
    auto key = GenerateKey(role, label);
    if (!key.ok()) std::abort();
    return std::move(key).value();
  };

  std::vector<SecretKey> custodians;
  for (uint16_t i = 1; i <= n; ++i) {
    custodians.push_back(make_key(Role::kCustodian, "custodian-" + std::to_string(i)));
    if (!save(custodians.back(), out / "keys" / ("c" + std::to_string(i) + ".key"), user_pass)) return 8;
  }
  SecretKey op = make_key(Role::kOperator, "operator");
  if (!save(op, out / "registry" / "operator.key", operator_pass)) return 8;
  struct Named {
    const char* file;
    Role role;
    std::optional<registry::OrgKind> kind;
  };
  const Named named[] = {{"official", Role::kOfficial, registry::OrgKind::kUn},
                         {"official-ngo", Role::kOfficial, registry::OrgKind::kNgo},
                         {"enroller", Role::kEnroller, std::nullopt},
                         {"monitor", Role::kMonitor, std::nullopt}};
  std::map<std::string, SecretKey> actors;
  for (const Named& a : named) {
    actors.emplace(a.file, make_key(a.role, std::string(a.file) + "-desk"));
    if (!save(actors.at(a.file), out / "keys" / (std::string(a.file) + ".key"), user_pass)) return 8;
  }

  CeremonyInput in;
  in.registry_id.resize(16);
  SystemRng().Fill(in.registry_id);
  in.name = "test-registry";
  in.k = k;
  in.n = n;
  for (const auto& c : custodians) in.custodians.push_back(c.pub);
  SecretBytes dealer(32);
  SystemRng().Fill(dealer.RevealMutable());
  auto ceremony = RunCeremony(in, dealer);
  if (!Check(ceremony.status(), "ceremony").ok()) return 9;
  SignedConfig config = ceremony->config;
  for (uint16_t i = 1; i <= n; ++i) {
    auto acc = AcceptConfig(config, i, custodians[i - 1], ceremony->sealed_shares[i - 1]);
    if (!Check(acc.status(), "accept").ok()) return 9;
    config.acceptances.push_back(*acc);
    cli::ShareFile share{i, config.config.Hash(), ceremony->sealed_shares[i - 1]};
    if (!WriteFile(out / "shares" / ("share-" + std::to_string(i) + ".sealed"),
                   cli::FormatShareFile(share), true)) {
      return 8;
    }
  }
  if (!WriteFile(out / "registry" / "config.amanah", FormatConfigFile(config), false)) return 8;

  auto store = registry::SqliteStore::Open((out / "registry" / "registry.db").string());
  if (!Check(store.status(), "store").ok()) return 8;
  auto reg = registry::Registry::Create(**store, config, op, origin, clock);
  if (!Check(reg.status(), "init").ok()) return 9;
  auto submit = [&](Result<registry::Submission> s, const std::string& what) {
    ++clock.now;
    if (!Check(s.status(), what).ok()) return false;
    return Check((*reg)->Submit(*s).status(), what).ok();
  };
  for (const Named& a : named) {
    const SecretKey& key = actors.at(a.file);
    if (!submit(registry::client::RegisterSelf(config, key, "Org", a.kind, clock.now + 1),
                "register"))
      return 9;
    for (uint16_t i = 0; i < k; ++i) {
      if (!submit(registry::client::Attest(config, custodians[i], key.pub.FingerprintBytes(),
                                           registry::AttestationKind::kAdmit,
                                           clock.now + 300 * 86400, clock.now + 1),
                  "admit"))
        return 9;
    }
  }
  std::string ids, names;
  for (int i = 0; i < people; ++i) {
    registry::PersonAttributes a;
    a.role = i == 0 ? "medic" : i == 1 ? "journalist" : i == 3 ? "rescue" : "aid";
    a.district = "al-mashhad";
    a.list = "list-a";
    a.consent = *registry::ConsentScope::Parse(i == 1 ? "ngo" : i == 3 ? "un,icrc" : "un,ngo");
    if (i == 0) {
      a.needs = {"medical"};
      a.household = 3;
      a.companions = 2;
    } else if (i == 1) {
      a.household = 2;
    } else if (i == 3) {
      a.needs = {"mobility"};
    }
    std::string name = i == 0   ? "محمد عبد الله"
                       : i == 1 ? "Layla Haddad"
                       : i == 2 ? "@Sara Nasser"
                       : i == 3 ? "Omar <b>Khalil</b>"
                                : "نادية الحلبي " + std::to_string(i);
    Pseudonym id = Pseudonym::Generate();
    registry::client::Identity who{name, std::to_string(1970 + i), "", ""};
    if (!submit(registry::client::Enrol(config, actors.at("enroller"), id, who, a, clock.now + 1),
                "enrol"))
      return 9;
    ids += id.ToString() + "\n";
    names += name + "\n";
  }
  if (!WriteFile(out / "ids.txt", ids, false) || !WriteFile(out / "names.txt", names, true)) return 8;
  std::cout << "registry with " << people << " people, " << k << " of " << n
            << " custodians; last entry at " << clock.now << "\n";
  return 0;
}

int Tamper(std::map<std::string, std::string> args) {
  sqlite3* db = nullptr;
  if (sqlite3_open(args["--db"].c_str(), &db) != SQLITE_OK) return 8;
  const long long index = std::stoll(args["--entry"]);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT entry FROM log_entries WHERE idx = ?", -1, &st, nullptr);
  sqlite3_bind_int64(st, 1, index);
  if (sqlite3_step(st) != SQLITE_ROW) return 5;
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(st, 0));
  std::vector<uint8_t> blob(p, p + sqlite3_column_bytes(st, 0));
  sqlite3_finalize(st);
  blob[blob.size() / 2] ^= 0x01;
  sqlite3_prepare_v2(db, "UPDATE log_entries SET entry = ? WHERE idx = ?", -1, &st, nullptr);
  sqlite3_bind_blob(st, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, index);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::cout << "flipped one bit of log entry " << index << "\n";
  return rc == SQLITE_DONE ? 0 : 8;
}

}  // namespace
}  // namespace amanah

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: amanah_test_fixture make|tamper --option value…\n";
    return 2;
  }
  std::map<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  const std::string cmd = argv[1];
  if (cmd == "make") return amanah::Make(args);
  if (cmd == "tamper") return amanah::Tamper(args);
  std::cerr << "usage: amanah_test_fixture make|tamper --option value…\n";
  return 2;
}
