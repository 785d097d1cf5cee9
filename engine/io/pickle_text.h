// Internal to the unpickler: the text forms of protocol 0 (quoted Python 2 strings, raw-unicode-escape,
// decimal numbers) and the UTF-8/latin-1 conversions that protocol-2 pickles of bytes rely on.
// Every function reports malformed input by returning nullopt, never by reading past its argument.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fovea::engine::pickle_text {

// The argument of the STRING opcode: 'text' or "text" with Python 2 escapes (\n, \x41, \101, ...).
std::optional<std::string> decode_quoted_string(std::string_view quoted);

// The argument of the UNICODE opcode: latin-1 text with \uXXXX and \UXXXXXXXX escapes; returns UTF-8.
std::optional<std::string> decode_raw_unicode_escape(std::string_view text);

// UTF-8 text whose code points are all below 256, as those bytes (Python's str.encode('latin1')).
std::optional<std::string> utf8_to_latin1(std::string_view utf8);
std::string latin1_to_utf8(std::string_view latin1);

// Decimal integers as protocol 0 writes them ("-12", "7L" is handled by the caller); nullopt if the
// text is not a number or does not fit in 64 bits.
std::optional<int64_t> parse_int64(std::string_view text);
std::optional<double> parse_double(std::string_view text);

}  // namespace fovea::engine::pickle_text
