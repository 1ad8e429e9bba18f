// The remap differential test (issue 9): every rule file of
// tests/integration/remap_corpus/ is loaded by ringtftpd (--remap) and by the
// real tftp-hpa in.tftpd (-m), both serving the same root, and each name of
// the corpus (hand-written ones plus generated ones) is asked of both as a
// raw RRQ. Both must answer with DATA block 1 carrying the same bytes (every
// file holds its own path), or both with an ERROR of the same code (and, for
// access denied, the same message). The only differences allowed are listed
// in kExpectedDifferences, and each of them must actually occur.
//
// in.tftpd comes from Debian's tftpd-hpa package, unpacked by tools/test
// (tools/lib/setup.sh extract_peer) into build/peers/tftp-hpa, never
// installed: its package would start a daemon on port 69.
#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/integration/integration_test.h"
#include "tests/integration/process.h"
#include "tests/integration/socket_activation_fixture.h"
#include "tests/integration/test_util.h"
#include "tests/integration/tftp_wire.h"

namespace ringtftp::integration {
namespace {

using enum Opcode;

constexpr char kInTftpd[] = RINGTFTP_PEERS_DIR "/tftp-hpa/usr/sbin/in.tftpd";
constexpr char kCorpus[] =
    RINGTFTP_SOURCE_DIR "/tests/integration/remap_corpus/";
constexpr int kGeneratedNamesPerFile = 1000;
constexpr size_t kInFlight = 32;  // Requests sent before the replies are read.
constexpr absl::Duration kReplyWait = absl::Seconds(3);

// How the clients reach both servers: IPv4 to 127.0.0.1 or IPv6 to ::1, or
// IPv4 to 127.0.0.1 through a dual-stack [::] socket (what systemd's
// ListenDatagram=69 gives), then either as any request or as the first one
// a fresh in.tftpd hears.
enum class Family { kIpv4, kIpv6, kDualStack, kDualStackFirst };

absl::string_view FamilyName(Family family) {
  switch (family) {
    case Family::kIpv4:
      return "IPv4";
    case Family::kIpv6:
      return "IPv6";
    case Family::kDualStack:
      return "IPv4 through [::]";
    case Family::kDualStackFirst:
      return "IPv4 through [::], first request";
  }
  return "?";
}

// Where Debian 12's tftp-hpa 5.2 departs from the 5.4 man page, which
// ringtftpd follows. Each entry must show a difference, or the test fails:
// a fixed peer or a changed rule file must update this table.
struct ExpectedDifference {
  absl::string_view rule_file;
  Family family;
  absl::string_view name;
  absl::string_view reason;
};
constexpr ExpectedDifference kExpectedDifferences[] = {
    {"endstart", Family::kIpv4, "old/x",
     "5.2's 's' starts over at rule 2, not rule 1, so 'new/' is never turned "
     "into 'images/'"},
    {"endstart", Family::kIpv6, "old/x", "the same over IPv6"},
    {"abort", Family::kIpv4, "secret.key",
     "5.2's 'a' message carries the part of the name before the match "
     "('secret')"},
    {"abort", Family::kIpv6, "secret.key", "the same over IPv6"},
    {"perclient", Family::kDualStackFirst, "client/cfg",
     "behind a dual-stack socket, 5.2 writes \\i of the first client it "
     "hears as ::ffff:127.0.0.1 (later ones as 127.0.0.1), so it looks for "
     "clients/::ffff:127.0.0.1/cfg"},
    {"perclient", Family::kDualStackFirst, "mac", "the same, hosts/::ffff:..."},
    {"perclient", Family::kDualStackFirst, "cfg", "the same, hosts/::ffff:..."},
    {"perclient", Family::kDualStackFirst, "hex/boot.ipxe",
     "5.2 writes \\x of it as the 32 digits of ::ffff:7f00:1"},
};

struct Outcome {
  enum Kind { kNoReply, kUnparsed, kData, kError, kOther } kind = kNoReply;
  uint16_t number = 0;  // Block or error code.
  std::string payload;

  std::string Describe() const {
    switch (kind) {
      case kNoReply:
        return "no reply";
      case kUnparsed:
        return "an unparsable datagram";
      case kData:
        return absl::StrCat("DATA ", number, " \"", payload, "\"");
      case kError:
        return absl::StrCat("ERROR ", number, " \"", payload, "\"");
      case kOther:
        return "another packet";
    }
    return "?";
  }
};

// Sandbox, not remap, differences, judged as "both refuse":
// - A name climbing out of the root: in.tftpd -s is chrooted, so the kernel
//   clamps "../x" to "/x" and it may serve a file of the root, while
//   ringtftpd refuses it (access violation). Neither can leave the root.
bool RefusedClimb(const Outcome& ours, absl::string_view name) {
  return absl::StrContains(name, "..") && ours.kind == Outcome::kError &&
         ours.number == 2;
}
// - A directory: in.tftpd sends strerror(EISDIR) with code 0, ringtftpd
//   "not found" with its reason.
bool BothRefuseDirectory(const Outcome& ours, const Outcome& theirs) {
  return ours.kind == Outcome::kError && theirs.kind == Outcome::kError &&
         theirs.number == 0 && theirs.payload == "Is a directory";
}

// - A '\' left after the rules: ringtftpd refuses it (access violation,
//   --backslash=auto under --remap), in.tftpd looks for a file of that
//   literal name, which no corpus tree has (so "not found").
bool BothRefuseBackslash(const Outcome& ours, const Outcome& theirs,
                         absl::string_view name) {
  return absl::StrContains(name, '\\') && ours.kind == Outcome::kError &&
         ours.number == 2 && theirs.kind == Outcome::kError &&
         theirs.number == 1;
}

// Same answer, or a difference the peers are allowed to have.
bool Agree(const Outcome& ours, const Outcome& theirs, absl::string_view name) {
  if (RefusedClimb(ours, name) || BothRefuseDirectory(ours, theirs) ||
      BothRefuseBackslash(ours, theirs, name)) {
    return true;
  }
  if (ours.kind != theirs.kind) return false;
  if (ours.kind == Outcome::kData) {
    return ours.number == theirs.number && ours.payload == theirs.payload;
  }
  if (ours.kind != Outcome::kError || ours.number != theirs.number) {
    return false;
  }
  // Access denied by an 'a' rule: its message is the rule's.
  return ours.number != 2 || ours.payload == theirs.payload;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  absl::StatusOr<std::string> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path << ": " << text.status();
  for (absl::string_view line :
       absl::StrSplit(text.value_or(""), '\n', absl::SkipEmpty())) {
    if (!absl::StartsWith(line, "#")) lines.emplace_back(line);
  }
  return lines;
}

// Names built from the fragments the corpus' rules match, in any order and
// case, so that every rule meets names it was not written for. The fragments
// avoid "old/" and ".key", whose differences are 5.2 bugs (see above).
std::vector<std::string> GeneratedNames(const std::vector<std::string>& tree,
                                        int count, uint32_t seed) {
  static const std::vector<std::string> kPrefixes = {
      "",     "/",          "tftpboot/",   "/TFTPBOOT/",     "TftpBoot\\",
      "\\",   "boot/grub/", "/boot/grub/", "/EFI/BOOT/",     "grub/",
      "../",  "..\\",       "client/",     "private/",       "Boot\\x64\\",
      "hex/", "new/",       "images/",     "pxelinux.cfg\\", "//"};
  static const std::vector<std::string> kServedPrefixes = {
      "", "", "/", "tftpboot/", "/TFTPBOOT/", "/boot/", "boot/", "/EFI/BOOT/"};
  static const std::vector<std::string> kLeaves = {
      "pxelinux.0", "default",  "01-aa-bb-cc-dd-ee-ff",
      "cfg",        "mac",      "latest",
      "secret",     "fam",      "boot",
      "x",          "grub.cfg", "BCD",
      "",           "missing"};
  std::mt19937 random(seed);
  auto pick = [&](const std::vector<std::string>& from) -> std::string {
    return from[std::uniform_int_distribution<size_t>(0,
                                                      from.size() - 1)(random)];
  };
  auto maybe = [&](int one_in) { return random() % one_in == 0; };
  std::vector<std::string> names;
  while (static_cast<int>(names.size()) < count) {
    std::string name;
    if (maybe(2)) {
      // Near a served file: a prefix some rule strips, then a file of the
      // tree, so that many names are served and their bytes compared.
      name = pick(kServedPrefixes) + pick(tree);
      if (maybe(3)) std::replace(name.begin(), name.end(), '/', '\\');
    } else {
      name = pick(kPrefixes);
      if (maybe(3)) name += pick(kPrefixes);
      std::string leaf = maybe(2) ? pick(tree) : pick(kLeaves);
      if (maybe(2)) std::replace(leaf.begin(), leaf.end(), '/', '\\');
      name += leaf;
    }
    if (maybe(4)) {
      for (char& c : name) {
        if (maybe(2)) c = absl::ascii_toupper(c);
      }
    }
    if (name.empty() || absl::EndsWith(name, ".key")) continue;
    names.push_back(std::move(name));
  }
  return names;
}

// The first reply to an RRQ sent from `socket`; a DATA's transfer is ended
// with an ERROR so neither server retransmits into later batches.
Outcome Collect(UdpSocket& socket, absl::Time deadline) {
  std::optional<Datagram> datagram =
      socket.Receive(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  if (!datagram) return {};
  std::optional<Packet> packet = ParsePacket(datagram->bytes);
  if (!packet) return {Outcome::kUnparsed, 0, ""};
  if (packet->opcode == kData) {
    socket.SendTo(datagram->port, MakeError(0, "differential test done"))
        .IgnoreError();
    return {Outcome::kData, packet->number, packet->payload};
  }
  if (packet->opcode == kError) {
    return {Outcome::kError, packet->number, packet->payload};
  }
  return {Outcome::kOther, 0, ""};
}

// Asks `names` of the server on loopback `port`, kInFlight at a time.
std::vector<Outcome> AskAll(uint16_t port, bool ipv6,
                            const std::vector<std::string>& names) {
  std::vector<Outcome> outcomes;
  for (size_t start = 0; start < names.size(); start += kInFlight) {
    std::vector<UdpSocket> sockets;
    const size_t end = std::min(names.size(), start + kInFlight);
    for (size_t i = start; i < end; ++i) {
      absl::StatusOr<UdpSocket> socket = UdpSocket::Open(ipv6);
      EXPECT_TRUE(socket.ok()) << socket.status();
      if (!socket.ok()) return outcomes;
      EXPECT_TRUE(
          socket->SendTo(port, MakeRequest(kRrq, names[i], "octet")).ok());
      sockets.push_back(*std::move(socket));
    }
    const absl::Time deadline = absl::Now() + kReplyWait;
    for (UdpSocket& socket : sockets) {
      outcomes.push_back(Collect(socket, deadline));
    }
  }
  return outcomes;
}

// in.tftpd in the foreground (-L) on one loopback address, chrooted (-s) into
// `root`, with `rules`. Stopped by its PID when destroyed.
class TftpHpa {
 public:
  static std::unique_ptr<TftpHpa> Start(const std::string& root,
                                        const std::string& rules,
                                        Family family) {
    if (!FileExists(kInTftpd)) {
      ADD_FAILURE() << kInTftpd
                    << " is missing: tools/test unpacks it (tools/lib/setup.sh "
                       "extract_peer tftp-hpa tftpd-hpa)";
      return nullptr;
    }
    const uint16_t port = FreeUdpPort(family == Family::kIpv6);
    // -u root: there may be no `tftp` user, and the root is root's.
    std::vector<std::string> argv = {kInTftpd, "-L", "-s", "-u", "root"};
    switch (family) {
      case Family::kIpv4:
        argv.insert(argv.end(), {"-4", "-a", absl::StrCat("127.0.0.1:", port)});
        break;
      case Family::kIpv6:
        argv.insert(argv.end(), {"-6", "-a", absl::StrCat("[::1]:", port)});
        break;
      case Family::kDualStack:
      case Family::kDualStackFirst:
        argv.insert(argv.end(), {"-a", absl::StrCat("[::]:", port)});
        break;
    }
    argv.insert(argv.end(), {"-m", rules, root});
    absl::StatusOr<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Start(argv);
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return nullptr;
    auto server = std::unique_ptr<TftpHpa>(
        new TftpHpa(*std::move(child), port, family == Family::kIpv6));
    // Its first request must be the test's own.
    if (family == Family::kDualStackFirst) return server;
    if (!server->AwaitReady()) return nullptr;
    return server;
  }
  ~TftpHpa() { child_->WaitUntil(absl::Now()); }

  uint16_t port() const { return port_; }

  // Asks `name` as the first request it hears: sent every 100 ms until the
  // in.tftpd, which binds after it forks, answers (datagrams before the
  // bind reach nobody).
  Outcome AskFirst(const std::string& name) {
    absl::StatusOr<UdpSocket> socket = UdpSocket::Open(ipv6_);
    EXPECT_TRUE(socket.ok()) << socket.status();
    if (!socket.ok()) return {};
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (absl::Now() < deadline) {
      socket->SendTo(port_, MakeRequest(kRrq, name, "octet")).IgnoreError();
      Outcome outcome = Collect(*socket, absl::Now() + absl::Milliseconds(100));
      if (outcome.kind != Outcome::kNoReply) return outcome;
    }
    return {};
  }

 private:
  TftpHpa(std::unique_ptr<ChildProcess> child, uint16_t port, bool ipv6)
      : child_(std::move(child)), port_(port), ipv6_(ipv6) {}

  // Bound once it answers a probe (the bind happens after the fork).
  bool AwaitReady() {
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (absl::Now() < deadline) {
      if (ExchangeOnce(port_, MakeRequest(kRrq, "ready-probe", "octet"),
                       absl::Milliseconds(200), ipv6_)
              .ok()) {
        return true;
      }
    }
    CommandResult result = child_->WaitUntil(absl::Now());
    ADD_FAILURE() << "in.tftpd never answered: " << result.Describe();
    return false;
  }

  std::unique_ptr<ChildProcess> child_;
  uint16_t port_;
  bool ipv6_;
};

class RemapDifferentialTest : public SocketActivationFixture {
 protected:
  // Asks `names` of ringtftpd and of an in.tftpd on the same root and rules
  // over one family, and checks that they agree but where expected not to.
  void Compare(absl::string_view rule_file, Family family,
               const std::vector<std::string>& names) {
    const bool ipv6 = family == Family::kIpv6;
    const std::string rules = absl::StrCat(kCorpus, rule_file, ".map");
    std::unique_ptr<TftpHpa> peer =
        TftpHpa::Start(server().root(), rules, family);
    ASSERT_NE(peer, nullptr);
    // A [::] socket is the server's IPv6 one, however its clients come.
    const uint16_t ours_port =
        family == Family::kIpv4 ? port() : server().ipv6_port();
    const std::vector<Outcome> ours = AskAll(ours_port, ipv6, names);
    const std::vector<Outcome> theirs = AskAll(peer->port(), ipv6, names);
    ASSERT_EQ(ours.size(), names.size());
    ASSERT_EQ(theirs.size(), names.size());
    int data = 0;
    for (size_t i = 0; i < names.size(); ++i) {
      if (ours[i].kind == Outcome::kData) ++data;
      Judge(rule_file, family, names[i], ours[i], theirs[i]);
    }
    // What was compared, for the log of a passing run.
    std::cout << rule_file << " " << FamilyName(family) << ": " << names.size()
              << " names, " << data << " served\n";
    // A corpus whose names all fail would prove little.
    EXPECT_GT(data, 0) << rule_file << ": no name was served";
  }

  // Checks that the answers to `name` agree, but where expected not to.
  void Judge(absl::string_view rule_file, Family family,
             const std::string& name, const Outcome& ours,
             const Outcome& theirs) {
    if (IsExpectedDifference(rule_file, family, name)) {
      EXPECT_FALSE(Agree(ours, theirs, name))
          << rule_file << " \"" << name
          << "\" is listed as a 5.2 difference but both answered "
          << ours.Describe() << ": update kExpectedDifferences";
      met_.insert(MetKey(rule_file, family, name));
    } else {
      EXPECT_TRUE(Agree(ours, theirs, name))
          << rule_file << " (" << FamilyName(family) << ") \"" << name
          << "\": ringtftpd " << ours.Describe() << ", in.tftpd "
          << theirs.Describe();
    }
    // Both always answer: silence would hide a difference.
    EXPECT_NE(ours.kind, Outcome::kNoReply) << name;
    EXPECT_NE(theirs.kind, Outcome::kNoReply) << name;
  }

  // Starts ringtftpd with `rule_file` on `config`'s addresses and lays out
  // its tree.
  void Serve(absl::string_view rule_file, ServerConfig config) {
    const std::vector<std::string> flags = ServingFlags(rule_file);
    config.flags.insert(config.flags.begin(), flags.begin(), flags.end());
    ASSERT_TRUE(StartServerWith(config));
    LayOut(rule_file);
  }
  static std::vector<std::string> ServingFlags(absl::string_view rule_file) {
    return {absl::StrCat("--remap=", kCorpus, rule_file, ".map"), "--timeout=1",
            "--retries=1"};
  }
  void LayOut(absl::string_view rule_file) {
    // in.tftpd refuses a root that is not world-readable with its own
    // message; a tree as an operator lays it out is.
    ASSERT_EQ(chmod(server().root().c_str(), 0755), 0);
    // Each file holds its own path, so a wrong rewrite shows in the bytes.
    for (const std::string& path : Tree(rule_file)) AddRootFile(path, path);
  }

  static std::vector<std::string> Tree(absl::string_view rule_file) {
    return ReadLines(absl::StrCat(kCorpus, rule_file, ".tree"));
  }
  static std::vector<std::string> HandNames(absl::string_view rule_file) {
    std::vector<std::string> names =
        ReadLines(absl::StrCat(kCorpus, rule_file, ".names"));
    EXPECT_FALSE(names.empty()) << rule_file;
    return names;
  }

  static std::string MetKey(absl::string_view rule_file, Family family,
                            absl::string_view name) {
    return absl::StrCat(rule_file, "\n", FamilyName(family), "\n", name);
  }
  static bool IsExpectedDifference(absl::string_view rule_file, Family family,
                                   absl::string_view name) {
    return std::any_of(
        std::begin(kExpectedDifferences), std::end(kExpectedDifferences),
        [&](const ExpectedDifference& difference) {
          return difference.rule_file == rule_file &&
                 difference.family == family && difference.name == name;
        });
  }

  // Every entry of kExpectedDifferences for `rule_file` over `family` was
  // asked.
  void ExpectAllDifferencesMet(absl::string_view rule_file, Family family) {
    for (const ExpectedDifference& difference : kExpectedDifferences) {
      if (difference.rule_file != rule_file || difference.family != family) {
        continue;
      }
      EXPECT_TRUE(met_.contains(MetKey(rule_file, family, difference.name)))
          << rule_file << " (" << FamilyName(family) << ") \""
          << difference.name
          << "\" is in kExpectedDifferences but not in its .names file";
    }
  }

  std::set<std::string> met_;
};

class CorpusTest : public RemapDifferentialTest,
                   public ::testing::WithParamInterface<const char*> {};

// IPv4 with every name, IPv6 with the hand-written ones.
TEST_P(CorpusTest, RingtftpdAnswersAsTftpHpa) {
  const absl::string_view rule_file = GetParam();
  ServerConfig config;
  config.ipv6 = HasLoopbackIpv6();
  ASSERT_NO_FATAL_FAILURE(Serve(rule_file, config));
  std::vector<std::string> names = HandNames(rule_file);
  const std::vector<std::string> generated =
      GeneratedNames(Tree(rule_file), kGeneratedNamesPerFile, /*seed=*/9);
  names.insert(names.end(), generated.begin(), generated.end());
  Compare(rule_file, Family::kIpv4, names);
  ExpectAllDifferencesMet(rule_file, Family::kIpv4);
  if (!config.ipv6) return;
  Compare(rule_file, Family::kIpv6, HandNames(rule_file));
  ExpectAllDifferencesMet(rule_file, Family::kIpv6);
}

// Behind the one [::] socket that ListenDatagram=69 gives, an IPv4 client is
// an IPv4 client to the rules (the 5.4 man page, and ringtftpd); 5.2 sees
// the first one it hears as ::ffff:127.0.0.1 (kExpectedDifferences).
TEST_F(RemapDifferentialTest, ADualStackSocketShowsIpv4ClientsToRulesAsIpv4) {
  uint16_t port = 0;
  ASSERT_TRUE(StartActivatedOnFreePort("[::]", /*ipv6=*/true, &port,
                                       ServingFlags("perclient")));
  ASSERT_NO_FATAL_FAILURE(LayOut("perclient"));
  Compare("perclient", Family::kDualStack, HandNames("perclient"));
  // Each name again as the first request of a fresh in.tftpd.
  const std::string rules = absl::StrCat(kCorpus, "perclient.map");
  for (const std::string& name : HandNames("perclient")) {
    std::unique_ptr<TftpHpa> peer =
        TftpHpa::Start(server().root(), rules, Family::kDualStackFirst);
    ASSERT_NE(peer, nullptr);
    const std::vector<Outcome> ours =
        AskAll(server().ipv6_port(), /*ipv6=*/false, {name});
    ASSERT_EQ(ours.size(), 1u);
    Judge("perclient", Family::kDualStackFirst, name, ours[0],
          peer->AskFirst(name));
  }
  ExpectAllDifferencesMet("perclient", Family::kDualStackFirst);
}

INSTANTIATE_TEST_SUITE_P(RemapCorpus, CorpusTest,
                         ::testing::Values("pxelinux", "windows", "tftpboot",
                                           "perclient", "grub", "abort",
                                           "endstart", "direction"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ringtftp::integration
