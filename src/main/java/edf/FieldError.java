package edf;

/** A request field that broke the contract, and why. */
public record FieldError(String field, String message) implements CborSerializable {}
