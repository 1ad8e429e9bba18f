#include "core/reactor/session_factory.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "core/protocol/netascii.h"
#include "core/protocol/tftp_error.h"
#include "core/reactor/read_session.h"
#include "core/reactor/write_session.h"
#include "fs/unique_fd.h"

namespace ringtftp {
namespace {

struct OpenedSource {
  // The file; for netascii, its encoding, unless `encoded` is false.
  PacketSource source;
  FileIdentity identity;  // Of the file, whatever the mode made of it.
  uint64_t bytes = 0;     // What the transfer sends: the tsize.
  // False for a netascii file whose encoding the cache already holds (at
  // some blksize): then only a miss at this transfer's blksize encodes it.
  bool encoded = true;
  // A download still arriving (octet only): staged as it comes, never
  // cached as an image of what is there so far.
  std::shared_ptr<const GrowingBytes> growing;
};

absl::StatusOr<std::string> EncodeFile(const SessionPolicy& policy,
                                       const ReadableFile& file) {
  absl::StatusOr<std::string> text = file.ReadAll(policy.netascii_max_bytes);
  if (!text.ok()) {
    return TftpError(
        ErrorCode::kNotDefined,
        absl::StrCat("netascii transfers are limited to ",
                     policy.netascii_max_bytes, " bytes; ask for octet mode"));
  }
  return EncodeNetascii(*text);
}

// Encodes a netascii file that OpenSource() left as it is.
absl::Status FinishEncoding(const SessionPolicy& policy, OpenedSource& opened) {
  if (opened.encoded) return absl::OkStatus();
  absl::StatusOr<std::string> text =
      EncodeFile(policy, std::get<ReadableFile>(opened.source));
  if (!text.ok()) return text.status();
  // Same identity, so the same bytes, unless it was rewritten in place
  // within the mtime's resolution: never send other than the tsize said.
  if (text->size() != opened.bytes) {
    return TftpError(ErrorCode::kNotDefined,
                     "the file changed while it was read; ask again");
  }
  opened.source = *std::move(text);
  opened.encoded = true;
  return absl::OkStatus();
}

absl::StatusOr<OpenedSource> OpenSource(const SessionPolicy& policy,
                                        const Request& request,
                                        std::optional<CachedFile> cached) {
  std::shared_ptr<const GrowingBytes> growing =
      cached.has_value() ? std::move(cached->growing) : nullptr;
  absl::StatusOr<ReadableFile> file =
      cached.has_value() ? std::move(cached->file)
                         : policy.store->OpenForRead(request.filename);
  if (!file.ok()) return file.status();
  const FileIdentity identity = file->identity();
  if (request.mode == TransferMode::kOctet) {
    return OpenedSource{.source = *std::move(file),
                        .identity = identity,
                        .bytes = identity.size,
                        .encoded = true,
                        .growing = std::move(growing)};
  }
  if (growing != nullptr) {
    return absl::InternalError(
        "a netascii read was handed a download in progress");
  }
  if (policy.cache != nullptr) {
    std::optional<uint64_t> known =
        policy.cache->KnownBytes(identity, TransferMode::kNetascii);
    if (known.has_value()) {
      return OpenedSource{.source = *std::move(file),
                          .identity = identity,
                          .bytes = *known,
                          .encoded = false,
                          .growing = nullptr};
    }
  }
  absl::StatusOr<std::string> text = EncodeFile(policy, *file);
  if (!text.ok()) return text.status();
  const uint64_t bytes = text->size();
  return OpenedSource{.source = *std::move(text),
                      .identity = identity,
                      .bytes = bytes,
                      .encoded = true,
                      .growing = nullptr};
}

// The cache's image of the file when it holds or takes one, else the source
// itself, for the transfer to stage.
absl::StatusOr<ReadFeed> ChooseFeed(const SessionPolicy& policy,
                                    const TransferOptions& options,
                                    OpenedSource opened) {
  const ImageKey key{.identity = opened.identity,
                     .mode = options.mode,
                     .blksize = options.blksize,
                     .rollover_to = options.rollover_to};
  if (opened.growing != nullptr) return std::move(opened.source);
  if (policy.cache != nullptr) {
    if (ImageLease held = policy.cache->Find(key)) return held;
  }
  absl::Status encoded = FinishEncoding(policy, opened);
  if (!encoded.ok()) return encoded;
  if (policy.cache != nullptr) {
    ImageLease image = policy.cache->Acquire(key, &opened.source);
    if (image) return image;
  }
  return std::move(opened.source);
}

absl::Status SocketRefusal(const absl::Status& status) {
  return TftpError(
      ErrorCode::kNotDefined,
      absl::StrCat("server cannot open a transfer socket: ", status.message()));
}

absl::StatusOr<UniqueFd> OpenSocket(const SessionPolicy& policy,
                                    const Endpoint& local,
                                    const Endpoint& peer) {
  absl::StatusOr<int> fd = OpenTransferSocket(local, peer, policy.port_range);
  if (!fd.ok()) return SocketRefusal(fd.status());
  return UniqueFd(*fd);
}

ServerLimits PathLimits(const SessionPolicy& policy,
                        const ReactorResources& resources, const Endpoint& peer,
                        absl::Time now) {
  ServerLimits limits = policy.limits;
  limits.blksize_max =
      std::min(limits.blksize_max, resources.path_mtu->BlockLimit(peer, now));
  return limits;
}

// The file, or the refusal it got a moment ago: a miss costs no lookup.
absl::StatusOr<OpenedSource> OpenRemembered(const SessionPolicy& policy,
                                            const ReactorResources& resources,
                                            const Request& request,
                                            std::optional<CachedFile> file,
                                            absl::Time now) {
  if (file.has_value()) return OpenSource(policy, request, std::move(file));
  MissCache& misses = *resources.misses;
  if (std::optional<absl::Status> refusal =
          misses.Find(request.filename, now)) {
    return *std::move(refusal);
  }
  const uint64_t stamp = misses.Stamp();
  absl::StatusOr<OpenedSource> opened =
      OpenSource(policy, request, std::nullopt);
  if (!opened.ok()) {
    misses.Remember(request.filename, opened.status(), stamp, now);
  }
  return opened;
}

absl::StatusOr<std::unique_ptr<Session>> OpenReadSession(
    const SessionPolicy& policy, const ReactorResources& resources,
    SessionIo& io, const Request& request, std::optional<CachedFile> file,
    const Endpoint& local, const Endpoint& peer, absl::Time now) {
  // The file first: a miss (PXELINUX probes many names) costs no socket.
  absl::StatusOr<OpenedSource> opened =
      OpenRemembered(policy, resources, request, std::move(file), now);
  if (!opened.ok()) return opened.status();
  absl::StatusOr<Negotiation> negotiation = Negotiate(
      request, PathLimits(policy, resources, peer, now), opened->bytes);
  if (!negotiation.ok()) return negotiation.status();
  std::shared_ptr<const GrowingBytes> growing = opened->growing;
  absl::StatusOr<ReadFeed> feed =
      ChooseFeed(policy, negotiation->options, *std::move(opened));
  if (!feed.ok()) return feed.status();
  // Last: nothing after it fails, so a socket taken is a socket used.
  absl::StatusOr<PooledSocket*> socket = resources.sockets->Acquire(
      local, peer, kHeaderBytes + negotiation->options.blksize);
  if (!socket.ok()) return SocketRefusal(socket.status());
  auto session = std::make_unique<ReadSession>(
      io, (*socket)->fd, peer, request.filename, now, *std::move(feed),
      negotiation->options, std::move(negotiation->oack), policy.retransmit,
      /*segmented=*/(*socket)->segment_bytes != 0, std::move(growing));
  session->pooled = *socket;
  return session;
}

absl::Status CheckUploadAllowed(const SessionPolicy& policy,
                                const TransferOptions& options) {
  if (options.tsize.has_value() && *options.tsize > policy.max_upload_bytes) {
    return TftpError(ErrorCode::kDiskFull,
                     absl::StrCat("upload of ", *options.tsize,
                                  " bytes exceeds the server's limit of ",
                                  policy.max_upload_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Session>> OpenWriteSession(
    const SessionPolicy& policy, const ReactorResources& resources,
    SessionIo& io, const Request& request, const Endpoint& local,
    const Endpoint& peer, absl::Time now) {
  if (policy.write_mode == WriteMode::kOff) {
    return TftpError(ErrorCode::kAccessViolation,
                     "uploads are disabled on this server (start ringtftpd "
                     "with --write=create or --write=overwrite)");
  }
  absl::StatusOr<UniqueFd> socket = OpenSocket(policy, local, peer);
  if (!socket.ok()) return socket.status();
  absl::StatusOr<Negotiation> negotiation = Negotiate(
      request, PathLimits(policy, resources, peer, now), std::nullopt);
  if (!negotiation.ok()) return negotiation.status();
  absl::Status allowed = CheckUploadAllowed(policy, negotiation->options);
  if (!allowed.ok()) return allowed;
  // Two windows of DATA may be in the socket at once: at blksize 65464 that
  // is far more than the default buffer holds.
  const TransferOptions& agreed = negotiation->options;
  ReserveReceiveBuffer(
      socket->get(),
      static_cast<int>(std::min<uint64_t>(
          64 << 20,
          std::max<uint64_t>(256 << 10, 2ull * agreed.windowsize *
                                            (kHeaderBytes + agreed.blksize)))));
  RootStore::Replace replace = policy.write_mode == WriteMode::kOverwrite
                                   ? RootStore::Replace::kAllowed
                                   : RootStore::Replace::kNever;
  absl::StatusOr<AtomicWriter> writer = policy.store->BeginWrite(
      request.filename, replace, policy.max_upload_bytes);
  if (!writer.ok()) return writer.status();
  BlockReceiver::Opening opening = negotiation->oack.empty()
                                       ? BlockReceiver::Opening::kAck0
                                       : BlockReceiver::Opening::kOack;
  return std::make_unique<WriteSession>(
      io, socket->Release(), peer, request.filename, now, std::move(*writer),
      negotiation->options, opening, std::move(negotiation->oack),
      policy.retransmit);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Session>> OpenSession(
    const SessionPolicy& policy, const ReactorResources& resources,
    SessionIo& io, const Request& request, std::optional<CachedFile> file,
    const Endpoint& local, const Endpoint& peer, absl::Time now) {
  if (request.opcode == Opcode::kWrq) {
    return OpenWriteSession(policy, resources, io, request, local, peer, now);
  }
  return OpenReadSession(policy, resources, io, request, std::move(file), local,
                         peer, now);
}

}  // namespace ringtftp
