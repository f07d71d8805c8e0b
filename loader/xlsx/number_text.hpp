// The text of a number cell as the value it holds. A number cell stores an IEEE double
// (ECMA-376: xsd:double); writers that print it with %.16g or %.17g add noise digits
// (851461.6800000001 for the double whose shortest form is 851461.68).
#pragma once

#include <string>

namespace xlsx {

// Rewrites the number text at text[from..] as the shortest decimal that reads back as the
// same double (std::to_chars). Integer text (no point, no exponent) stays exactly as written,
// whatever its length: IDs past 2^53 are written that way and must not be rounded. Text with
// at most 15 significant digits and no trailing zero in its fraction is already shortest and
// is left alone without a conversion; so is text that is not a number at all.
void canonicalize_number(std::string& text, size_t from);

}  // namespace xlsx
