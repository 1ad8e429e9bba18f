#include "core/server/name_policy_loader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ringtftp {

absl::StatusOr<std::shared_ptr<const NamePolicy>> LoadNamePolicy(
    const ServerConfig& config) {
  auto policy = std::make_shared<NamePolicy>();
  policy->lowercase = config.lowercase;
  policy->unique_root = config.unique_root;
  policy->remap_steps = config.remap_steps;
  // A remap file owns backslashes, as in tftp-hpa: its rules may turn them
  // into '/' or match them, so they must see them.
  policy->backslash_to_slash =
      config.backslash == BackslashMode::kSlash ||
      (config.backslash == BackslashMode::kAuto && config.remap_file.empty());
  if (config.remap_file.empty()) return policy;
  std::ifstream file(config.remap_file, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("--remap=", config.remap_file,
                     ": cannot read it: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << file.rdbuf();
  absl::StatusOr<std::shared_ptr<const RemapRules>> rules =
      RemapRules::Parse(text.str(), config.remap_file);
  if (!rules.ok()) return rules.status();
  policy->remap = *std::move(rules);
  return policy;
}

}  // namespace ringtftp
