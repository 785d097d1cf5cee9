#include "engine/io/pickle.h"

#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "engine/errors.h"
#include "engine/io/pickle_access.h"
#include "engine/io/pickle_globals.h"
#include "engine/io/pickle_text.h"
#include "engine/io/printable.h"

namespace fovea::engine {
namespace {

using Kind = PickleValue::Kind;

// Opcodes as CPython's Lib/pickle.py names them.
namespace op {
constexpr uint8_t MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J',
                  BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R',
                  STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a',
                  BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h',
                  INST = 'i', LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q',
                  LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
                  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86,
                  TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, BINBYTES = 'B',
                  SHORT_BINBYTES = 'C', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e,
                  EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93,
                  MEMOIZE = 0x94, FRAME = 0x95, BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98;
}  // namespace op

class Machine {
 public:
  Machine(std::span<const uint8_t> bytes, const std::string& name, const UnpickleOptions& options)
      : bytes_(bytes), name_(name), options_(options) {
    context_.max_depth = options.max_depth;
    context_.budget = bytes.size() + (size_t{1} << 20);
  }

  Unpickled run() {
    try {
      for (;;) {
        op_start_ = pos_;
        if (pos_ >= bytes_.size()) throw PickleProblem{"the pickle ends before its STOP opcode (truncated file?)"};
        const uint8_t opcode = bytes_[pos_++];
        if (opcode == op::STOP) return {pop(), pos_};
        step(opcode);
      }
    } catch (const PickleProblem& p) {
      throw CheckpointError(name_ + ": " + p.reason + " (at byte " + std::to_string(op_start_) + " of the pickle)");
    }
  }

 private:
  // --- reading the input
  size_t remaining() const { return bytes_.size() - pos_; }

  std::string_view fixed(size_t n) {
    if (n > remaining()) throw PickleProblem{"the pickle ends inside an opcode (truncated file?)"};
    const auto* p = reinterpret_cast<const char*>(bytes_.data() + pos_);
    pos_ += n;
    return {p, n};
  }
  // Data whose length the pickle states: checked against what is left before anything is allocated.
  std::string_view counted(uint64_t n) {
    if (n > remaining())
      throw PickleProblem{"a value claims " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
                          " remain"};
    return fixed(static_cast<size_t>(n));
  }
  uint64_t little_endian(size_t n) {
    const std::string_view b = fixed(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(b[i])} << (8 * i);
    return v;
  }
  int64_t signed32() { return static_cast<int32_t>(static_cast<uint32_t>(little_endian(4))); }
  std::string_view line() {
    const auto* begin = bytes_.data() + pos_;
    const void* newline = std::memchr(begin, '\n', remaining());
    if (!newline) throw PickleProblem{"the pickle ends inside a text argument (truncated file?)"};
    const size_t n = static_cast<const uint8_t*>(newline) - begin;
    pos_ += n + 1;
    return {reinterpret_cast<const char*>(begin), n};
  }
  uint64_t text_index() {
    const auto value = pickle_text::parse_int64(line());
    if (!value || *value < 0) throw PickleProblem{"a memo index is not a number"};
    return static_cast<uint64_t>(*value);
  }

  // --- the stack; MARK opens a frame that pops may not reach below, as in CPython's metastack
  size_t frame_base() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(PickleValue v) {
    if (stack_.size() >= options_.max_stack) throw PickleProblem{"the pickle holds too many values at once"};
    stack_.push_back(std::move(v));
  }
  void push_checked(PickleValue v) {
    if (v.depth() > options_.max_depth)
      throw PickleProblem{"data nests deeper than " + std::to_string(options_.max_depth) + " levels"};
    push(std::move(v));
  }
  PickleValue& top() {
    if (stack_.size() <= frame_base()) throw PickleProblem{"stack underflow (a corrupt pickle)"};
    return stack_.back();
  }
  PickleValue pop() {
    PickleValue v = std::move(top());
    stack_.pop_back();
    return v;
  }
  PickleItems pop_mark() {
    if (marks_.empty()) throw PickleProblem{"an opcode needs a MARK that is missing (a corrupt pickle)"};
    const size_t mark = marks_.back();
    marks_.pop_back();
    PickleItems items(std::make_move_iterator(stack_.begin() + static_cast<ptrdiff_t>(mark)),
                      std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  static PicklePairs pairs_of(PickleItems items) {
    if (items.size() % 2 != 0) throw PickleProblem{"a dict is given a key without a value"};
    PicklePairs pairs;
    pairs.reserve(items.size() / 2);
    for (size_t i = 0; i < items.size(); i += 2) pairs.emplace_back(std::move(items[i]), std::move(items[i + 1]));
    return pairs;
  }
  PickleValue& top_of_kind(Kind kind, const char* opcode) {
    PickleValue& target = top();
    if (!target.is(kind)) throw PickleProblem{std::string(opcode) + " on " + target.kind_name()};
    return target;
  }

  // --- values
  PickleValue integer(std::string_view le) {
    if (le.empty()) return PickleValue::from_int(0);
    const bool negative = static_cast<unsigned char>(le.back()) & 0x80;
    // Wider than 8 bytes still fits when the extra bytes only repeat the sign.
    bool fits = true;
    for (size_t i = 8; i < le.size(); ++i) fits &= static_cast<unsigned char>(le[i]) == (negative ? 0xFF : 0x00);
    if (le.size() > 8 && fits) fits = ((static_cast<unsigned char>(le[7]) & 0x80) != 0) == negative;
    if (!fits) {
      if (options_.allow_big_ints) return PickleValue::big_int(std::string(le));
      throw PickleProblem{"an integer is wider than 64 bits"};
    }
    uint64_t v = negative ? ~uint64_t{0} : 0;
    for (size_t i = 0; i < le.size() && i < 8; ++i) {
      v &= ~(uint64_t{0xFF} << (8 * i));
      v |= uint64_t{static_cast<unsigned char>(le[i])} << (8 * i);
    }
    return PickleValue::from_int(static_cast<int64_t>(v));
  }
  PickleValue text_integer(std::string_view text, bool is_long) {
    if (!is_long && text == "00") return PickleValue::from_bool(false);  // protocol 0 spells bools as ints
    if (!is_long && text == "01") return PickleValue::from_bool(true);
    if (is_long && !text.empty() && text.back() == 'L') text.remove_suffix(1);
    const auto value = pickle_text::parse_int64(text);
    if (!value) throw PickleProblem{"an integer is not a number or wider than 64 bits"};
    return PickleValue::from_int(*value);
  }
  PickleValue allowed_global(std::string_view module, std::string_view name) {
    std::optional<PickleGlobal> global = pickle_globals::find(module, name);
    if (!global)
      throw CheckpointError(name_ + ": the pickle refers to " + printable(module) + "." + printable(name) +
                            ", which Fovea does not load (it could run code)");
    return PickleValue::global(std::move(*global));
  }
  const PickleGlobal& callable(const PickleValue& v, const char* opcode) {
    if (!v.is(Kind::Global)) throw PickleProblem{std::string(opcode) + " on " + v.kind_name()};
    return v.as_global();
  }
  void persistent(const PickleValue& id) {
    if (!options_.persistent_load)
      throw PickleProblem{"the pickle refers to external data (a persistent id), which this kind of file does not have"};
    push_checked(options_.persistent_load(id));
  }
  void memo_get(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) throw PickleProblem{"memo index " + std::to_string(index) + " is used before it is set"};
    PickleAccess::mark_shared(it->second);
    push(it->second);
  }
  void memo_put(uint64_t index) { memo_[index] = top(); }
  PickleValue tuple_of(size_t n) {
    PickleItems items(n);
    for (size_t i = n; i-- > 0;) items[i] = pop();
    return PickleValue::tuple(std::move(items));
  }
  [[noreturn]] static void unsupported(const char* opcode) {
    throw PickleProblem{std::string("the pickle uses opcode ") + opcode + ", which Fovea does not support"};
  }

  void step(uint8_t opcode);

  std::span<const uint8_t> bytes_;
  const std::string& name_;
  const UnpickleOptions& options_;
  pickle_globals::Context context_;
  size_t pos_ = 0, op_start_ = 0;
  std::vector<PickleValue> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PickleValue> memo_;
};

void Machine::step(uint8_t opcode) {
  const int max_depth = options_.max_depth;
  switch (opcode) {
    // framing and structure
    case op::PROTO: {
      const auto version = static_cast<unsigned char>(fixed(1)[0]);
      if (version > 5) throw PickleProblem{"pickle protocol " + std::to_string(version) + " is newer than 5"};
      return;
    }
    case op::FRAME: {  // frames only group opcodes for buffered reading; nothing to do but check the size
      const uint64_t size = little_endian(8);
      if (size > remaining()) throw PickleProblem{"a frame claims " + std::to_string(size) + " bytes but only " +
                                                  std::to_string(remaining()) + " remain"};
      return;
    }
    case op::MARK:
      if (marks_.size() >= static_cast<size_t>(max_depth))
        throw PickleProblem{"MARKs nest deeper than " + std::to_string(max_depth) + " levels"};
      marks_.push_back(stack_.size());
      return;
    case op::POP:
      if (stack_.size() > frame_base()) stack_.pop_back(); else pop_mark();
      return;
    case op::POP_MARK: pop_mark(); return;
    case op::DUP: PickleAccess::mark_shared(top()); push(PickleValue(top())); return;
    // scalars
    case op::NONE: push({}); return;
    case op::NEWTRUE: push(PickleValue::from_bool(true)); return;
    case op::NEWFALSE: push(PickleValue::from_bool(false)); return;
    case op::INT: push(text_integer(line(), false)); return;
    case op::LONG: push(text_integer(line(), true)); return;
    case op::BININT: push(PickleValue::from_int(signed32())); return;
    case op::BININT1: push(PickleValue::from_int(static_cast<int64_t>(little_endian(1)))); return;
    case op::BININT2: push(PickleValue::from_int(static_cast<int64_t>(little_endian(2)))); return;
    case op::LONG1: push(integer(counted(little_endian(1)))); return;
    case op::LONG4: {
      const int64_t n = signed32();
      if (n < 0) throw PickleProblem{"an integer has a negative length"};
      push(integer(counted(static_cast<uint64_t>(n))));
      return;
    }
    case op::BINFLOAT: {
      const std::string_view b = fixed(8);
      uint64_t bits = 0;
      for (char c : b) bits = (bits << 8) | static_cast<unsigned char>(c);  // big-endian
      double d;
      std::memcpy(&d, &bits, sizeof d);
      push(PickleValue::from_float(d));
      return;
    }
    case op::FLOAT: {
      const auto value = pickle_text::parse_double(line());
      if (!value) throw PickleProblem{"a float is not a number"};
      push(PickleValue::from_float(*value));
      return;
    }
    // strings: Python 2 str stays bytes; Python 3 str is UTF-8 text
    case op::STRING: {
      auto value = pickle_text::decode_quoted_string(line());
      if (!value) throw PickleProblem{"a STRING argument is not a quoted string"};
      push(PickleValue::bytes(std::move(*value)));
      return;
    }
    case op::BINSTRING: {
      const int64_t n = signed32();
      if (n < 0) throw PickleProblem{"a string has a negative length"};
      push(PickleValue::bytes(std::string(counted(static_cast<uint64_t>(n)))));
      return;
    }
    case op::SHORT_BINSTRING: push(PickleValue::bytes(std::string(counted(little_endian(1))))); return;
    case op::UNICODE: {
      auto value = pickle_text::decode_raw_unicode_escape(line());
      if (!value) throw PickleProblem{"a UNICODE argument has a bad escape"};
      push(PickleValue::string(std::move(*value)));
      return;
    }
    case op::SHORT_BINUNICODE: push(PickleValue::string(std::string(counted(little_endian(1))))); return;
    case op::BINUNICODE: push(PickleValue::string(std::string(counted(little_endian(4))))); return;
    case op::BINUNICODE8: push(PickleValue::string(std::string(counted(little_endian(8))))); return;
    case op::SHORT_BINBYTES: push(PickleValue::bytes(std::string(counted(little_endian(1))))); return;
    case op::BINBYTES: push(PickleValue::bytes(std::string(counted(little_endian(4))))); return;
    case op::BINBYTES8:
    case op::BYTEARRAY8: push(PickleValue::bytes(std::string(counted(little_endian(8))))); return;
    // containers
    case op::EMPTY_LIST: push(PickleValue::list()); return;
    case op::EMPTY_TUPLE: push(PickleValue::tuple()); return;
    case op::EMPTY_DICT: push(PickleValue::dict()); return;
    case op::EMPTY_SET: push(PickleValue::set()); return;
    case op::LIST: push_checked(PickleValue::list(pop_mark())); return;
    case op::TUPLE: push_checked(PickleValue::tuple(pop_mark())); return;
    case op::TUPLE1: push_checked(tuple_of(1)); return;
    case op::TUPLE2: push_checked(tuple_of(2)); return;
    case op::TUPLE3: push_checked(tuple_of(3)); return;
    case op::DICT: push_checked(PickleValue::dict(pairs_of(pop_mark()))); return;
    case op::FROZENSET: push_checked(PickleValue::set(pop_mark())); return;
    case op::APPEND: {
      PickleValue item = pop();
      PickleAccess::append(top_of_kind(Kind::List, "APPEND"), {std::move(item)}, max_depth);
      return;
    }
    case op::APPENDS: {
      PickleItems items = pop_mark();
      PickleAccess::append(top_of_kind(Kind::List, "APPENDS"), std::move(items), max_depth);
      return;
    }
    case op::ADDITEMS: {
      PickleItems items = pop_mark();
      PickleAccess::append(top_of_kind(Kind::Set, "ADDITEMS"), std::move(items), max_depth);
      return;
    }
    case op::SETITEM: {
      PickleValue value = pop(), key = pop();
      PicklePairs pair;
      pair.emplace_back(std::move(key), std::move(value));
      PickleAccess::set_items(top_of_kind(Kind::Dict, "SETITEM"), std::move(pair), max_depth);
      return;
    }
    case op::SETITEMS: {
      PicklePairs pairs = pairs_of(pop_mark());
      PickleAccess::set_items(top_of_kind(Kind::Dict, "SETITEMS"), std::move(pairs), max_depth);
      return;
    }
    // the memo
    case op::GET: memo_get(text_index()); return;
    case op::BINGET: memo_get(little_endian(1)); return;
    case op::LONG_BINGET: memo_get(little_endian(4)); return;
    case op::PUT: memo_put(text_index()); return;
    case op::BINPUT: memo_put(little_endian(1)); return;
    case op::LONG_BINPUT: memo_put(little_endian(4)); return;
    case op::MEMOIZE: memo_put(memo_.size()); return;
    // globals and what is made of them
    case op::GLOBAL: {
      const std::string_view module = line();
      push(allowed_global(module, line()));
      return;
    }
    case op::STACK_GLOBAL: {
      const PickleValue name = pop(), module = pop();
      if (!name.is(Kind::String) || !module.is(Kind::String)) throw PickleProblem{"STACK_GLOBAL needs two str"};
      push(allowed_global(module.as_string(), name.as_string()));
      return;
    }
    case op::INST: {  // protocol 0 class instantiation: refuse the class by name if it is not allowed at all
      const std::string_view module = line();
      allowed_global(module, line());
      unsupported("INST");
    }
    case op::REDUCE: {
      const PickleValue args = pop(), function = pop();
      push_checked(pickle_globals::call(callable(function, "REDUCE"), args, context_));
      return;
    }
    case op::NEWOBJ: {
      const PickleValue args = pop(), cls = pop();
      push_checked(pickle_globals::instantiate(callable(cls, "NEWOBJ"), args, nullptr, context_));
      return;
    }
    case op::NEWOBJ_EX: {
      const PickleValue kwargs = pop(), args = pop(), cls = pop();
      push_checked(pickle_globals::instantiate(callable(cls, "NEWOBJ_EX"), args, &kwargs, context_));
      return;
    }
    case op::BUILD: {
      const PickleValue state = pop();
      pickle_globals::build(top(), state, context_);
      return;
    }
    case op::PERSID: persistent(PickleValue::string(std::string(line()))); return;
    case op::BINPERSID: persistent(pop()); return;
    case op::OBJ: unsupported("OBJ");
    case op::EXT1: case op::EXT2: case op::EXT4: unsupported("EXT (the extension registry)");
    case op::NEXT_BUFFER: case op::READONLY_BUFFER: unsupported("NEXT_BUFFER (out-of-band data)");
    default: break;
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", opcode);
  throw PickleProblem{std::string("unknown opcode ") + hex + " (not a pickle, or a corrupt one)"};
}

}  // namespace

Unpickled unpickle(std::span<const uint8_t> bytes, const std::string& name, const UnpickleOptions& options) {
  return Machine(bytes, name, options).run();
}

}  // namespace fovea::engine
