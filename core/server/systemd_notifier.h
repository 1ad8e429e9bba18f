// What ringtftpd tells the service manager about itself (sd_notify(3)) when
// a Type=notify unit started it; outside systemd every call does nothing.
#ifndef RINGTFTP_CORE_SERVER_SYSTEMD_NOTIFIER_H_
#define RINGTFTP_CORE_SERVER_SYSTEMD_NOTIFIER_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace ringtftp {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET and the watchdog settings (WATCHDOG_USEC) once.
  SystemdNotifier();

  // Every reactor serves: READY=1, with a first STATUS=.
  void Ready(absl::string_view status) const;
  void Status(absl::string_view status) const;
  // Proof of life; call it only when the reactors themselves progress.
  void Watchdog() const;
  void Reloading() const;
  void Stopping() const;

  // How often Watchdog() is due: half the unit's WatchdogSec=, as
  // sd_watchdog_enabled(3) advises; infinite when the unit sets none.
  absl::Duration watchdog_period() const { return watchdog_period_; }

 private:
  void Send(absl::string_view state) const;

  absl::Duration watchdog_period_ = absl::InfiniteDuration();
};

}  // namespace ringtftp

#endif  // RINGTFTP_CORE_SERVER_SYSTEMD_NOTIFIER_H_
