#include "engine/io/pickle_access.h"

#include <algorithm>

namespace fovea::engine {
namespace {

void check_depth(int depth, int max_depth) {
  if (depth > max_depth) throw PickleProblem{"data nests deeper than " + std::to_string(max_depth) + " levels"};
}

template <typename Node>
void check_unshared(const Node& node, const PickleValue& value) {
  // A pickle that changes a container after referencing it again can build a cycle; Python's pickler
  // only does that for self-referencing objects, which no checkpoint or dataset holds.
  if (node.shared)
    throw PickleProblem{std::string("the pickle changes ") + value.kind_name() +
                        " after sharing it (self-referencing data is not supported)"};
}

void add_pairs(int& depth, PicklePairs& to, PicklePairs& from, int max_depth) {
  for (const auto& [k, v] : from) depth = std::max({depth, k.depth() + 1, v.depth() + 1});
  check_depth(depth, max_depth);
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

void PickleAccess::mark_shared(const PickleValue& value) {
  if (auto* seq = std::get_if<std::shared_ptr<PickleValue::Seq>>(&value.payload_)) (*seq)->shared = true;
  if (auto* dict = std::get_if<std::shared_ptr<PickleValue::Dict>>(&value.payload_)) (*dict)->shared = true;
}

void PickleAccess::append(PickleValue& target, PickleItems items, int max_depth) {
  if (!target.is(PickleValue::Kind::List) && !target.is(PickleValue::Kind::Set))
    throw PickleProblem{std::string("cannot append to ") + target.kind_name()};
  PickleValue::Seq& seq = *std::get<std::shared_ptr<PickleValue::Seq>>(target.payload_);
  check_unshared(seq, target);
  for (const PickleValue& item : items) seq.depth = std::max(seq.depth, item.depth() + 1);
  check_depth(seq.depth, max_depth);
  seq.items.insert(seq.items.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
}

void PickleAccess::set_items(PickleValue& dict, PicklePairs items, int max_depth) {
  if (!dict.is(PickleValue::Kind::Dict)) throw PickleProblem{std::string("cannot set items of ") + dict.kind_name()};
  PickleValue::Dict& node = *std::get<std::shared_ptr<PickleValue::Dict>>(dict.payload_);
  check_unshared(node, dict);
  add_pairs(node.depth, node.items, items, max_depth);
}

void PickleAccess::add_attributes(PickleValue& dict, PicklePairs items, int max_depth) {
  if (!dict.is(PickleValue::Kind::Dict)) throw PickleProblem{std::string("cannot set attributes of ") + dict.kind_name()};
  PickleValue::Dict& node = *std::get<std::shared_ptr<PickleValue::Dict>>(dict.payload_);
  check_unshared(node, dict);
  add_pairs(node.depth, node.attributes, items, max_depth);
}

PickleNdArray& PickleAccess::ndarray(PickleValue& value) {
  return *std::get<std::shared_ptr<PickleNdArray>>(value.payload_);
}

PickleNumpyDType& PickleAccess::numpy_dtype(PickleValue& value) {
  return *std::get<std::shared_ptr<PickleNumpyDType>>(value.payload_);
}

std::shared_ptr<const std::string> PickleAccess::shared_bytes(const PickleValue& bytes) {
  return std::get<std::shared_ptr<const std::string>>(bytes.payload_);
}

}  // namespace fovea::engine
