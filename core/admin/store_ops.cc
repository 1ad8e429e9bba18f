#include "core/admin/store_ops.h"

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "fs/name_check.h"
#include "fs/sha256_stream.h"

namespace ringtftp {
namespace {

// The admin API is trusted (a local socket or a token): its uploads are
// bounded by the disk, not by TFTP's --max_upload_bytes.
constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

// True when `name` holds a regular file whose content has `sha256`.
bool HoldsContent(const RootStore& store, const std::string& name,
                  absl::string_view sha256) {
  absl::StatusOr<std::string> held = store.Sha256(name);
  return held.ok() && *held == sha256;
}

// BeginWrite(), after creating the directory of `name` if it is missing.
absl::StatusOr<AtomicWriter> BeginWriteMakingParents(
    const RootStore& store, const std::string& name,
    RootStore::Replace replace) {
  absl::StatusOr<AtomicWriter> writer =
      store.BeginWrite(name, replace, kNoLimit);
  const size_t slash = name.rfind('/');
  if (!absl::IsNotFound(writer.status()) || slash == std::string::npos) {
    return writer;
  }
  if (absl::Status status = store.MakeDirectory(name.substr(0, slash));
      !status.ok()) {
    return status;
  }
  return store.BeginWrite(name, replace, kNoLimit);
}

// Streams `source` into `writer`, hashing it on the way.
absl::StatusOr<std::string> Receive(AtomicWriter& writer,
                                    const std::string& name,
                                    ContentSource source) {
  Sha256Stream hash;
  absl::Status appended;
  const bool complete = source([&](absl::string_view piece) {
    hash.Update(piece);
    appended = writer.Append(
        {reinterpret_cast<const uint8_t*>(piece.data()), piece.size()});
    return appended.ok();
  });
  if (!appended.ok()) return appended;
  if (!complete) {
    return absl::AbortedError(absl::StrCat("the upload of ", QuoteName(name),
                                           " broke off after ", writer.bytes(),
                                           " bytes; nothing was written"));
  }
  return hash.HexDigest();
}

}  // namespace

absl::StatusOr<PutResult> PutFile(const RootStore& store,
                                  absl::string_view name,
                                  const PutOptions& options,
                                  ContentSource source) {
  absl::StatusOr<std::string> canonical = CanonicalName(name);
  if (!canonical.ok()) return canonical.status();
  PutResult result;
  result.name = *std::move(canonical);
  const absl::StatusOr<FileInfo> existing = store.Stat(result.name);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  result.created = !existing.ok();
  if (existing.ok() && !options.expected_sha256.empty() &&
      HoldsContent(store, result.name, options.expected_sha256)) {
    result.bytes = existing->size;
    result.sha256 = options.expected_sha256;
    result.skipped = true;
    result.bytes_read = false;
    return result;
  }
  absl::StatusOr<AtomicWriter> writer =
      BeginWriteMakingParents(store, result.name,
                              options.overwrite ? RootStore::Replace::kAllowed
                                                : RootStore::Replace::kNever);
  if (!writer.ok()) return writer.status();
  absl::StatusOr<std::string> sha256 = Receive(*writer, result.name, source);
  if (!sha256.ok()) return sha256.status();
  result.bytes = writer->bytes();
  result.sha256 = *std::move(sha256);
  if (!options.expected_sha256.empty() &&
      result.sha256 != options.expected_sha256) {
    return absl::DataLossError(
        absl::StrCat("sha256 mismatch for ", QuoteName(result.name),
                     ": received ", result.sha256, ", expected ",
                     options.expected_sha256, "; nothing was replaced"));
  }
  // Same size first: only then is the old content worth reading.
  if (existing.ok() && existing->size == result.bytes &&
      HoldsContent(store, result.name, result.sha256)) {
    result.skipped = true;
    return result;
  }
  if (absl::Status status = writer->Commit(); !status.ok()) return status;
  return result;
}

absl::StatusOr<std::string> ParseSha256(absl::string_view hex,
                                        absl::string_view what) {
  std::string lower = absl::AsciiStrToLower(hex);
  if (!lower.empty() &&
      (lower.size() != 64 ||
       lower.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be 64 hex digits (a SHA-256)"));
  }
  return lower;
}

}  // namespace ringtftp
