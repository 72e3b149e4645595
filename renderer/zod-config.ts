/**
 * zod compiles object parsers with `new Function` unless told not to. The renderer's CSP forbids
 * eval, and even zod's caught probe for it is reported as a violation, so schemas here must be
 * built jitless. main.tsx imports this first, before any module that builds a schema.
 */
import { config } from 'zod';

config({ jitless: true });
