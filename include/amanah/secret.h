// SecretBytes: a fixed-size buffer of secret bytes in libsodium's guarded memory.
//
// The bytes live on sodium_malloc pages (guard pages around, canary, mlock where the OS
// allows) and are wiped by sodium_free when the object dies. They can only be read through
// the named accessors Reveal()/RevealMutable(), so a reader can grep for every place a secret
// leaves its box. There is no operator<<, no conversion to string, and equality runs in
// constant time. Move-only: a secret is never copied by accident; Clone() says it aloud.
//
// Thread safety: like a std::vector; no internal locking.
#ifndef AMANAH_SECRET_H_
#define AMANAH_SECRET_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace amanah {

class SecretBytes {
 public:
  // Zero-filled secret of `size` bytes. Aborts (like operator new) if guarded memory cannot
  // be had: continuing with secrets in ordinary memory would be worse.
  explicit SecretBytes(size_t size);
  // Copies `bytes` in. The caller wipes its own copy.
  static SecretBytes CopyFrom(std::span<const uint8_t> bytes);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  SecretBytes Clone() const;

  size_t size() const { return size_; }
  std::span<const uint8_t> Reveal() const { return {data_, size_}; }
  std::span<uint8_t> RevealMutable() { return {data_, size_}; }

  // Constant-time comparison (sodium_memcmp); sizes are public.
  bool Equals(const SecretBytes& other) const;

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Wipes ordinary memory that held a secret (sodium_memzero), for stack buffers.
void Wipe(std::span<uint8_t> bytes);

// Initialises libsodium once; every core entry point that uses it calls this. Aborts if
// libsodium cannot start (no entropy source), since nothing safe can be done without it.
void EnsureSodium();

}  // namespace amanah

#endif  // AMANAH_SECRET_H_
