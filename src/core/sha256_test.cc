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

// The digests every stored hash was made with before (libsodium's crypto_hash_sha256), for
// every length around the 64-byte blocks, whole and fed in pieces.
TEST(Sha256, SameBytesAsLibsodiumWholeAndInPieces) {
  Bytes data(1100);
  SystemRng().Fill(data);
  for (size_t n = 0; n <= data.size(); n += (n < 200 ? 1 : 37)) {
    const ByteView m = ByteView(data).first(n);
    std::array<uint8_t, crypto_hash_sha256_BYTES> expected;
    crypto_hash_sha256(expected.data(), m.data(), m.size());
    ASSERT_EQ(Sha256Of(m), expected) << n << " bytes";
    Sha256 pieces;
    for (size_t at = 0; at < n; at += 1 + at % 70) {
      pieces.Update(m.subspan(at, std::min(n - at, 1 + at % 70)));
    }
    ASSERT_EQ(pieces.Final(), expected) << n << " bytes in pieces";
  }
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

TEST(Sha256, OneByteChangesTheDigest) {
  Bytes data = {1, 2, 3, 4};
  const Sha256Digest before = Sha256Of(data);
  data[3] ^= 1;
  EXPECT_NE(Sha256Of(data), before);
  EXPECT_NE(Sha256().Update(ByteView(data).first(3)).Final(), Sha256Of(data));
}

}  // namespace
}  // namespace amanah
