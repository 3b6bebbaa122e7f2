// Where randomness comes from. Production code uses SystemRandom (libsodium's
// randombytes_buf, the OS CSPRNG). The vector generator and tests pass a
// DeterministicRandom so that regenerating the vectors reproduces every byte; the vectors
// record each random value they use, so a second implementation never needs this generator.
//
// Thread safety: SystemRandom is thread-safe; a DeterministicRandom is not.
#ifndef AMANAH_RANDOM_H_
#define AMANAH_RANDOM_H_

#include <cstdint>
#include <span>

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
