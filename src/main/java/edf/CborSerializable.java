package edf;

/** Marker for every message that may cross a node boundary; bound to Jackson CBOR in application.conf. */
public interface CborSerializable {}
