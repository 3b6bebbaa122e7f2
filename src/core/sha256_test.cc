#include "amanah/sha256.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "amanah/bytes.h"
#include "amanah/random.h"

namespace amanah {
namespace {

ByteView Text(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// FIPS 180-4's examples (NIST's "SHA-256 examples", and the one-million-a message of
// FIPS 180-2 appendix B.3).
TEST(Sha256, FipsExamples) {
  EXPECT_EQ(ToHex(Sha256Of(Text(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256Of(Text("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256Of(Text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1'000'000, 'a');
  EXPECT_EQ(ToHex(Sha256Of(Text(million))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// `Hasher` against libsodium's `reference` (the same digest), for every length up to
// `every_length_to` (past the first blocks) and every 37th after it to 1,100 bytes: whole
// (`whole(message)`) and fed in pieces of 1 to `max_piece` bytes.
template <typename Hasher, typename Reference, typename Whole>
void ExpectLibsodiumsDigests(Reference reference, Whole whole, size_t every_length_to,
                             size_t max_piece) {
  Bytes data(1100);
  SystemRng().Fill(data);
  for (size_t n = 0; n <= data.size(); n += (n < every_length_to ? 1 : 37)) {
    const ByteView m = ByteView(data).first(n);
    typename Hasher::Digest expected;
    reference(expected.data(), m.data(), m.size());
    ASSERT_EQ(whole(m), expected) << n << " bytes";
    Hasher pieces;
    for (size_t at = 0; at < n; at += 1 + at % max_piece) {
      pieces.Update(m.subspan(at, std::min(n - at, 1 + at % max_piece)));
    }
    ASSERT_EQ(pieces.Final(), expected) << n << " bytes in pieces";
  }
}

// The digests every stored hash was made with before (libsodium's crypto_hash_sha256), for
// every length around the 64-byte blocks, whole and fed in pieces.
TEST(Sha256, SameBytesAsLibsodiumWholeAndInPieces) {
  ExpectLibsodiumsDigests<Sha256>(crypto_hash_sha256, Sha256Of, 200, 70);
}

TEST(Sha256, FinalStartsANewMessage) {
  Sha256 hash;
  EXPECT_EQ(hash.Update(Text("abc")).Final(), Sha256Of(Text("abc")));
  EXPECT_EQ(hash.Final(), Sha256Of(ByteView()));
  EXPECT_EQ(hash.Update(Text("ab")).Update(Text("c")).Final(), Sha256Of(Text("abc")));
}

// A Sha256 reuses a context its thread's last one gave back (sha256.cc): the context must
// come back holding nothing of the message hashed or abandoned in it.
TEST(Sha256, AReusedContextStartsEmpty) {
  const Sha256Digest empty = Sha256Of(ByteView());
  for (int round = 0; round < 20; ++round) {
    {
      Sha256 abandoned;
      abandoned.Update(Text("a message left without its Final"));
    }
    EXPECT_EQ(Sha256().Final(), empty);
    {
      Sha256 a, b;  // alive together: two contexts, neither shared
      a.Update(Text("ab"));
      b.Update(Text("x"));
      EXPECT_EQ(a.Update(Text("c")).Final(), Sha256Of(Text("abc")));
      EXPECT_EQ(b.Final(), Sha256Of(Text("x")));
    }
  }
  // Made on one thread, given back on another.
  auto made_here = std::make_unique<Sha256>();
  made_here->Update(Text("abc"));
  std::thread([&] { made_here.reset(); }).join();
  EXPECT_EQ(Sha256().Update(Text("abc")).Final(), Sha256Of(Text("abc")));
}

TEST(Sha512, FipsExamplesAndLibsodiumAtEveryLength) {
  EXPECT_EQ(ToHex(Sha512().Update(Text("abc")).Final()),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  EXPECT_EQ(ToHex(Sha512().Final()),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
  ExpectLibsodiumsDigests<Sha512>(
      crypto_hash_sha512, [](ByteView m) { return Sha512().Update(m).Final(); }, 260, 130);
  // A reused context starts empty (as AReusedContextStartsEmpty, for this digest's pool).
  {
    Sha512 abandoned;
    abandoned.Update(Text("left without its Final"));
  }
  EXPECT_EQ(ToHex(Sha512().Update(Text("abc")).Final()).substr(0, 16), "ddaf35a193617aba");
  Sha512 twice;
  EXPECT_EQ(ToHex(twice.Update(Text("abc")).Final()).substr(0, 8), "ddaf35a1");
  EXPECT_EQ(ToHex(twice.Final()).substr(0, 8), "cf83e135");  // Final starts a new message
}

TEST(Sha256, OneByteChangesTheDigest) {
  Bytes data = {1, 2, 3, 4};
  const Sha256Digest before = Sha256Of(data);
  data[3] ^= 1;
  EXPECT_NE(Sha256Of(data), before);
  EXPECT_NE(Sha256().Update(ByteView(data).first(3)).Final(), Sha256Of(data));
}

}  // namespace
}  // namespace amanah
