// c_abi_guard.h: how every C entry point of the core (siglip.h,
// siglip_dist.h, model/siglip_model.h) turns C++ exceptions into a status
// code and a message, so that no exception crosses the C ABI.
#ifndef SIGLIP_CSRC_C_ABI_GUARD_H_
#define SIGLIP_CSRC_C_ABI_GUARD_H_

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>

#include "siglip.h"

namespace siglip {

// An error that carries its own status code of the C ABI (for example
// SIGLIP_EPEER for a failed peer of a ring).
class StatusError : public std::runtime_error {
 public:
  StatusError(int status, const std::string& msg)
      : std::runtime_error(msg), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Writes msg into a caller's error buffer, truncated and NUL-terminated.
inline void SetError(char* err, size_t err_len, const std::string& msg) {
  if (err == nullptr || err_len == 0) return;
  const size_t k = std::min(err_len - 1, msg.size());
  std::memcpy(err, msg.data(), k);
  err[k] = '\0';
}

// Runs fn; returns SIGLIP_OK, or the status of the exception it threw with
// its message in err: StatusError its own status, std::invalid_argument
// SIGLIP_EINVAL, std::bad_alloc SIGLIP_ENOMEM, anything else
// SIGLIP_EINTERNAL.
template <typename F>
int Guard(char* err, size_t err_len, F&& fn) {
  try {
    fn();
    return SIGLIP_OK;
  } catch (const StatusError& e) {
    SetError(err, err_len, e.what());
    return e.status();
  } catch (const std::invalid_argument& e) {
    SetError(err, err_len, e.what());
    return SIGLIP_EINVAL;
  } catch (const std::bad_alloc&) {
    SetError(err, err_len, "out of memory");
    return SIGLIP_ENOMEM;
  } catch (const std::exception& e) {
    SetError(err, err_len, std::string("internal error: ") + e.what());
    return SIGLIP_EINTERNAL;
  } catch (...) {
    SetError(err, err_len, "internal error: unknown exception");
    return SIGLIP_EINTERNAL;
  }
}

}  // namespace siglip

#endif  // SIGLIP_CSRC_C_ABI_GUARD_H_
