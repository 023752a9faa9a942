/**
 * Engine-level helpers the other packages share: {@link io.github.ringloss4j.ops.Scalars}, scalar
 * arithmetic on NDArrays without the temporary tensor DJL creates for every number.
 */
package io.github.ringloss4j.ops;
