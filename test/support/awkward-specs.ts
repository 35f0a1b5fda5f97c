/**
 * The spec fields a results folder is made of, with values that are awkward to write in SQL
 * (quotes, backslashes, operators, placeholders, non-ASCII), as an older or hand-written row might
 * hold them: no request passes validation with most of these.
 */
export const AWKWARD_SPECS = [
  { destination_s3_prefix: 'out/', uniqueId: 'plain' },
  { destination_s3_prefix: '', uniqueId: 'at-the-root' },
  { destination_s3_prefix: "it's/", uniqueId: "o'brien''s" },
  { destination_s3_prefix: 'back\\slash/', uniqueId: 'a\\b\\\\c' },
  { destination_s3_prefix: 'ünï/çødé/', uniqueId: '日本語-🙂' },
  { destination_s3_prefix: '%_/', uniqueId: "x' || 'y -- z $1 :p1" },
];
