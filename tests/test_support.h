// Small helpers shared by the test programs.
#pragma once
#include <QString>

#include <exception>
#include <string>

namespace fovea::testing {

// The message of the exception f() throws, "" if it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

// The same, as a QString for Qt Test's string checks.
template <typename F>
QString qerror_of(F&& f) {
  return QString::fromStdString(error_of(std::forward<F>(f)));
}

// Like error_of, but only Expected counts as a clean refusal: any other exception type is reported
// in the text as a bug, so that tests of hostile input catch crashes in disguise.
template <typename Expected, typename F>
std::string error_of_type(F&& f) {
  try {
    f();
  } catch (const Expected& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("UNEXPECTED EXCEPTION TYPE: ") + e.what();
  }
  return {};
}

}  // namespace fovea::testing
