package dev.bucket.retention;

import java.util.Objects;

/** The outcome of a pure retention rule: the value to go ahead with, or why not. */
public sealed interface Decision<T> permits Decision.Allowed, Decision.Refused {

  record Allowed<T>(T value) implements Decision<T> {
    public Allowed {
      Objects.requireNonNull(value, "value");
    }
  }

  record Refused<T>(RetentionRefusal refusal) implements Decision<T> {
    public Refused {
      Objects.requireNonNull(refusal, "refusal");
    }
  }

  static <T> Decision<T> allow(T value) {
    return new Allowed<>(value);
  }

  static <T> Decision<T> refuse(String slug, String message) {
    return new Refused<>(new RetentionRefusal(slug, message));
  }

  /** The allowed value, or a {@link RetentionRefusedException} carrying the refusal. */
  default T orElseThrow() {
    if (this instanceof Allowed<T> allowed) {
      return allowed.value();
    }
    throw new RetentionRefusedException(((Refused<T>) this).refusal());
  }
}
