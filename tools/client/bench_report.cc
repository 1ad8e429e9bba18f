#include "tools/client/bench_report.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace ringtftp {
namespace {

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

std::string ErrorKey(const TransferOutcome& outcome) {
  switch (outcome.failure) {
    case Failure::kServerError:
      return absl::StrCat(static_cast<int>(outcome.server_code));
    case Failure::kTimeout:
      return "timeout";
    case Failure::kProtocol:
      return "protocol";
    case Failure::kVerify:
      return "verify";
    case Failure::kLocal:
    case Failure::kNone:
      break;
  }
  return "local";
}

bool IsExpectedMiss(const TransferOutcome& outcome) {
  return outcome.expect_miss && outcome.failure == Failure::kServerError &&
         outcome.server_code == ErrorCode::kFileNotFound;
}

// The rates of a run: zero when it took no measurable time.
double PerSecond(double amount, absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? amount / seconds : 0;
}

double MegabytesPerSecond(const BenchReport& report) {
  return PerSecond(static_cast<double>(report.totals.bytes) / 1e6,
                   report.elapsed);
}

double TransfersPerSecond(const BenchReport& report) {
  return PerSecond(static_cast<double>(report.totals.ok + report.totals.failed),
                   report.elapsed);
}

double Milliseconds(absl::Duration duration) {
  return absl::ToDoubleMilliseconds(duration);
}

// CPU seconds per GiB served; zero when nothing was served.
double CpuPerGib(absl::Duration cpu, uint64_t bytes) {
  if (bytes == 0) return 0;
  return absl::ToDoubleSeconds(cpu) /
         (static_cast<double>(bytes) / kBytesPerGib);
}

std::string RequestedOption(uint32_t value) {
  return value == 0 ? "default" : absl::StrCat(value);
}

std::string ErrorsText(const BenchTotals& totals) {
  if (totals.errors.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [key, count] : totals.errors) {
    parts.push_back(absl::StrCat(key, " x", count));
  }
  return absl::StrJoin(parts, ", ");
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string JsonErrors(const BenchTotals& totals) {
  std::vector<std::string> members;
  for (const auto& [key, count] : totals.errors) {
    members.push_back(absl::StrCat(JsonString(key), ": ", count));
  }
  return absl::StrCat("{", absl::StrJoin(members, ", "), "}");
}

std::string JsonSamples(const BenchTotals& totals) {
  std::vector<std::string> items;
  for (const std::string& sample : totals.samples) {
    items.push_back(JsonString(sample));
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::string JsonServer(const BenchReport& report) {
  if (!report.server_usage_error.empty()) {
    return absl::StrCat("{\"error\": ", JsonString(report.server_usage_error),
                        "}");
  }
  if (!report.server_usage) return "null";
  const ServerUsage& usage = *report.server_usage;
  return absl::StrFormat(
      "{\"pid\": %d, \"cpu_seconds\": %.3f, \"cpu_seconds_per_gib\": %.3f, "
      "\"peak_rss_bytes\": %d}",
      usage.pid, absl::ToDoubleSeconds(usage.cpu),
      CpuPerGib(usage.cpu, report.totals.bytes), usage.peak_rss_bytes);
}

std::string JsonUpload(const BenchReport& report) {
  if (!report.upload_content) return "null";
  const UploadContent& content = *report.upload_content;
  return absl::StrFormat("{\"names\": %s, \"bytes\": %d, \"sha256\": %s}",
                         JsonString(content.names), content.bytes,
                         JsonString(content.sha256));
}

}  // namespace

void BenchTotals::Add(const TransferOutcome& outcome) {
  retransmits += outcome.retransmits;
  if (outcome.failure == Failure::kNone) {
    ++ok;
    bytes += outcome.bytes;
    latency.Record(outcome.latency);
    if (outcome.verified) ++verified;
  } else {
    ++failed;
    ++errors[ErrorKey(outcome)];
  }
  if (IsExpectedMiss(outcome)) {
    ++expected_misses;
    return;
  }
  if (outcome.failure == Failure::kNone && !outcome.expect_miss) return;
  ++unexpected;
  if (samples.size() < kSamples) {
    samples.push_back(absl::StrCat(outcome.remote, ": ",
                                   outcome.failure == Failure::kNone
                                       ? "exists, but must not"
                                       : outcome.message));
  }
}

void BenchTotals::Merge(const BenchTotals& other) {
  ok += other.ok;
  failed += other.failed;
  verified += other.verified;
  expected_misses += other.expected_misses;
  unexpected += other.unexpected;
  for (const auto& [key, count] : other.errors) errors[key] += count;
  for (const std::string& sample : other.samples) {
    if (samples.size() < kSamples) samples.push_back(sample);
  }
  bytes += other.bytes;
  retransmits += other.retransmits;
  latency.Merge(other.latency);
}

std::string FormatTable(const BenchReport& report) {
  const BenchTotals& totals = report.totals;
  std::string out = absl::StrFormat(
      "ringtftp bench: %s %s, concurrency %d, %d threads, blksize %s, "
      "windowsize %s\n",
      report.upload ? "upload to" : "download from", report.server,
      report.concurrency, report.threads, RequestedOption(report.blksize),
      RequestedOption(report.windowsize));
  const auto row = [&out](absl::string_view name, absl::string_view value) {
    absl::StrAppendFormat(&out, "  %-13s %s\n", name, value);
  };
  row("transfers", absl::StrFormat("%d ok, %d failed (%d expected misses, "
                                   "%d unexpected)",
                                   totals.ok, totals.failed,
                                   totals.expected_misses, totals.unexpected));
  row("verified",
      report.upload ? "n/a: compare the uploads' sha256 below"
                    : absl::StrFormat("%d (size and sha256)", totals.verified));
  row("errors", ErrorsText(totals));
  row("bytes", absl::StrCat(totals.bytes));
  row("elapsed",
      absl::StrFormat("%.3f s", absl::ToDoubleSeconds(report.elapsed)));
  row("throughput",
      absl::StrFormat("%.2f MB/s, %.1f transfers/s", MegabytesPerSecond(report),
                      TransfersPerSecond(report)));
  row("latency", absl::StrFormat("p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                                 Milliseconds(totals.latency.Quantile(0.5)),
                                 Milliseconds(totals.latency.Quantile(0.99)),
                                 Milliseconds(totals.latency.max())));
  row("retransmits", absl::StrCat(totals.retransmits));
  row("client cpu",
      absl::StrFormat("%.2f s", absl::ToDoubleSeconds(report.client_cpu)));
  if (report.server_usage) {
    const ServerUsage& usage = *report.server_usage;
    row("server cpu",
        absl::StrFormat("%.2f s (%.3f s per GiB), pid %d",
                        absl::ToDoubleSeconds(usage.cpu),
                        CpuPerGib(usage.cpu, totals.bytes), usage.pid));
    row("server rss", absl::StrFormat("peak %d bytes", usage.peak_rss_bytes));
  }
  if (!report.server_usage_error.empty()) {
    row("server", report.server_usage_error);
  }
  if (report.upload_content) {
    const UploadContent& content = *report.upload_content;
    row("uploaded",
        absl::StrFormat("%s: %d bytes each, sha256 %s", content.names,
                        content.bytes, content.sha256));
  }
  for (const std::string& sample : totals.samples) row("unexpected", sample);
  return out;
}

std::string FormatJson(const BenchReport& report) {
  const BenchTotals& totals = report.totals;
  return absl::StrFormat(
      "{\"direction\": %s, \"server\": %s, \"concurrency\": %d, "
      "\"threads\": %d, \"blksize\": %d, \"windowsize\": %d, "
      "\"ok\": %d, \"failed\": %d, \"verified\": %d, "
      "\"expected_misses\": %d, \"unexpected\": %d, \"errors\": %s, "
      "\"bytes\": %d, \"elapsed_seconds\": %.6f, \"mb_per_second\": %.3f, "
      "\"transfers_per_second\": %.3f, \"latency_ms\": {\"p50\": %.3f, "
      "\"p99\": %.3f, \"max\": %.3f}, \"retransmits\": %d, "
      "\"client_cpu_seconds\": %.3f, \"server_usage\": %s, \"upload\": %s, "
      "\"unexpected_samples\": %s}\n",
      JsonString(report.upload ? "upload" : "download"),
      JsonString(report.server), report.concurrency, report.threads,
      report.blksize, report.windowsize, totals.ok, totals.failed,
      totals.verified, totals.expected_misses, totals.unexpected,
      JsonErrors(totals), totals.bytes, absl::ToDoubleSeconds(report.elapsed),
      MegabytesPerSecond(report), TransfersPerSecond(report),
      Milliseconds(totals.latency.Quantile(0.5)),
      Milliseconds(totals.latency.Quantile(0.99)),
      Milliseconds(totals.latency.max()), totals.retransmits,
      absl::ToDoubleSeconds(report.client_cpu), JsonServer(report),
      JsonUpload(report), JsonSamples(totals));
}

}  // namespace ringtftp
