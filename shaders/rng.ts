/** Counter-based RNG: every random number is a pure function of (seed, counters), so any
 *  thread can draw its own numbers in any order and a run is reproducible. */
export const rngWgsl = /* wgsl */ `
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Uniform in (0, 1) from four counters.
fn rand_uniform(seed: u32, a: u32, b: u32, c: u32) -> f32 {
  let h = pcg_hash(seed ^ pcg_hash(a ^ pcg_hash(b ^ pcg_hash(c))));
  return (f32(h >> 8u) + 0.5) * (1.0 / 16777216.0);
}

// Standard normal (Box–Muller) from counters; c must leave its lowest bit free.
fn rand_normal(seed: u32, a: u32, b: u32, c: u32) -> f32 {
  let u1 = rand_uniform(seed, a, b, 2u * c);
  let u2 = rand_uniform(seed, a, b, 2u * c + 1u);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
`;
