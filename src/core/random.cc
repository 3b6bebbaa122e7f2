#include "amanah/random.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "amanah/bytes.h"
#include "amanah/secret.h"

namespace amanah {

void SystemRandom::Fill(std::span<uint8_t> out) {
  EnsureSodium();
  randombytes_buf(out.data(), out.size());
}

RandomSource& SystemRng() {
  static SystemRandom rng;
  return rng;
}

BufferedRandom::BufferedRandom() : block_(kBlockBytes), next_(kBlockBytes) {}

void BufferedRandom::Fill(std::span<uint8_t> out) {
  if (out.size() > kBlockBytes) {
    SystemRng().Fill(out);
    return;
  }
  std::span<uint8_t> block = block_.RevealMutable();
  size_t done = 0;
  while (done < out.size()) {
    if (next_ == kBlockBytes) {
      SystemRng().Fill(block);
      next_ = 0;
    }
    const size_t n = std::min(out.size() - done, kBlockBytes - next_);
    std::memcpy(out.data() + done, block.data() + next_, n);
    sodium_memzero(block.data() + next_, n);
    next_ += n;
    done += n;
  }
}

DeterministicRandom::DeterministicRandom(std::span<const uint8_t, 32> seed) {
  EnsureSodium();
  std::memcpy(seed_, seed.data(), sizeof seed_);
}

DeterministicRandom::~DeterministicRandom() { sodium_memzero(seed_, sizeof seed_); }

void DeterministicRandom::Fill(std::span<uint8_t> out) {
  Bytes input = ByteWriter().Raw(ByteView(seed_, sizeof seed_)).U64(counter_++).Take();
  uint8_t draw_seed[randombytes_SEEDBYTES];
  crypto_generichash(draw_seed, sizeof draw_seed, input.data(), input.size(), nullptr, 0);
  randombytes_buf_deterministic(out.data(), out.size(), draw_seed);
  sodium_memzero(draw_seed, sizeof draw_seed);
}

}  // namespace amanah
