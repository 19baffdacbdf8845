package dev.bucket.gate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A header value with parameters, as RFC 9110 §5.6.6 writes them: {@code value *( OWS ";" OWS name "=" ( token /
 * quoted-string ) )}. Used for {@code Content-Type} (media type and {@code charset} or {@code boundary}) and for a
 * multipart part's {@code Content-Disposition}. Parameter names are case-insensitive and kept lower-case; values are
 * kept as sent (a boundary is case-sensitive). Anything else is refused rather than guessed at.
 *
 * @param value      the part before the first {@code ;}, trimmed, as sent
 * @param parameters parameter name (lower-case) to value, in order
 */
record HeaderValue(String value, Map<String, String> parameters) {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern MEDIA_TYPE = Pattern.compile(TOKEN.pattern() + "/" + TOKEN.pattern());

  /** Parses {@code header}; throws {@link IllegalArgumentException} saying what is wrong. */
  static HeaderValue parse(String header) {
    int semicolon = header.indexOf(';');
    String value = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
    Map<String, String> parameters = new LinkedHashMap<>();
    int at = semicolon < 0 ? header.length() : semicolon + 1;
    while (at < header.length()) {
      int equals = header.indexOf('=', at);
      if (equals < 0) {
        if (header.substring(at).isBlank()) {
          break; // a trailing ";" is harmless
        }
        throw new IllegalArgumentException("parameter '" + header.substring(at).trim() + "' has no value");
      }
      String name = header.substring(at, equals).trim();
      if (!TOKEN.matcher(name).matches()) {
        throw new IllegalArgumentException("'" + name + "' is not a parameter name");
      }
      StringBuilder parsed = new StringBuilder();
      int end = equals + 1;
      if (end < header.length() && header.charAt(end) == '"') {
        end++;
        while (end < header.length() && header.charAt(end) != '"') {
          if (header.charAt(end) == '\\' && end + 1 < header.length()) {
            end++;
          }
          parsed.append(header.charAt(end++));
        }
        if (end >= header.length()) {
          throw new IllegalArgumentException("parameter '" + name + "' has an unterminated quoted value");
        }
        end++;
        int next = header.indexOf(';', end);
        if (!header.substring(end, next < 0 ? header.length() : next).isBlank()) {
          throw new IllegalArgumentException("parameter '" + name + "' has text after its quoted value");
        }
        end = next < 0 ? header.length() : next;
      } else {
        int next = header.indexOf(';', end);
        end = next < 0 ? header.length() : next;
        String token = header.substring(equals + 1, end).trim();
        if (!TOKEN.matcher(token).matches()) {
          throw new IllegalArgumentException("parameter '" + name + "' needs a token or a quoted value");
        }
        parsed.append(token);
      }
      if (parameters.put(name.toLowerCase(Locale.ROOT), parsed.toString()) != null) {
        throw new IllegalArgumentException("parameter '" + name + "' is given twice");
      }
      at = end + 1;
    }
    return new HeaderValue(value, Map.copyOf(parameters));
  }

  /** A media type ({@code type/subtype}, compared case-insensitively as RFC 9110 §8.3.1 says) and its parameters. */
  static HeaderValue mediaType(String header) {
    HeaderValue parsed = parse(header);
    if (!MEDIA_TYPE.matcher(parsed.value()).matches()) {
      throw new IllegalArgumentException("'" + parsed.value() + "' is not a media type (type/subtype)");
    }
    return parsed;
  }

  boolean is(String value) {
    return this.value.equalsIgnoreCase(value);
  }

  /** The media type's top-level type, such as {@code multipart} in {@code multipart/mixed}. */
  boolean isType(String type) {
    return value.regionMatches(true, 0, type + "/", 0, type.length() + 1);
  }

  String parameter(String name) {
    return parameters.get(name);
  }
}
