#include "core/server/systemd_notifier.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace ringtftp {

SystemdNotifier::SystemdNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
    watchdog_period_ = absl::Microseconds(usec) / 2;
  }
}

void SystemdNotifier::Ready(absl::string_view status) const {
  Send(absl::StrCat("READY=1\nSTATUS=", status));
}

void SystemdNotifier::Status(absl::string_view status) const {
  Send(absl::StrCat("STATUS=", status));
}

void SystemdNotifier::Watchdog() const { Send("WATCHDOG=1"); }

void SystemdNotifier::Reloading() const { Send("RELOADING=1"); }

void SystemdNotifier::Stopping() const { Send("STOPPING=1"); }

void SystemdNotifier::Send(absl::string_view state) const {
  // Without NOTIFY_SOCKET this returns at once; a manager that cannot be
  // told is no reason to stop serving.
  sd_notify(/*unset_environment=*/0, std::string(state).c_str());
}

}  // namespace ringtftp
