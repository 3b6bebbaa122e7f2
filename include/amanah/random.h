// Where randomness comes from. Production code uses SystemRandom (libsodium's
// randombytes_buf, the OS CSPRNG). The vector generator and tests pass a
// DeterministicRandom so that regenerating the vectors reproduces every byte; the vectors
// record each random value they use, so a second implementation never needs this generator.
//
// Thread safety: SystemRandom is thread-safe; a BufferedRandom or a DeterministicRandom is not.
#ifndef AMANAH_RANDOM_H_
#define AMANAH_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "amanah/secret.h"

namespace amanah {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
};

class SystemRandom final : public RandomSource {
 public:
  void Fill(std::span<uint8_t> out) override;
};

// The process-wide system source.
RandomSource& SystemRng();

// The system source drawn a block at a time, for a loop of small draws: an import draws a
// record's scalar (64 bytes), its nonce (24) and a pseudonym (8) for every row, and each
// randombytes_buf call is a getrandom system call. The block lives in guarded memory
// (SecretBytes: locked, wiped when freed), since the bytes it holds will be secrets; each byte
// is zeroed as it is handed out, so the block never keeps a copy of a secret already drawn.
// A draw larger than the block goes to the system source directly.
//
// One per thread. Not for a process that forks while one holds bytes: parent and child would
// hand out the same ones.
class BufferedRandom final : public RandomSource {
 public:
  static constexpr size_t kBlockBytes = 4096;
  BufferedRandom();
  void Fill(std::span<uint8_t> out) override;

 private:
  SecretBytes block_;
  size_t next_;  // the first byte not handed out; kBlockBytes when the block is spent
};

// Draw i (from 0) = randombytes_buf_deterministic(n, BLAKE2b-256(seed ‖ I2OSP(i, 8))).
// NOT for production: the output is a function of the seed.
class DeterministicRandom final : public RandomSource {
 public:
  explicit DeterministicRandom(std::span<const uint8_t, 32> seed);
  ~DeterministicRandom() override;
  void Fill(std::span<uint8_t> out) override;

 private:
  uint8_t seed_[32];
  uint64_t counter_ = 0;
};

}  // namespace amanah

#endif  // AMANAH_RANDOM_H_
