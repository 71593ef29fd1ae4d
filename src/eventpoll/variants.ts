/**
 * Loads every built-in variant (each module registers itself on import). Add a new
 * built-in variant by importing its module here; user variants use defineVariant().
 */
import './mainline/index.ts';
import './classic-4.19/index.ts';
import './rwlock-5.1/index.ts';
import './wfcqueue-rfc-v3/index.ts';
import './singlepass-2.6.22/index.ts';
import './exclusive-4.5/index.ts';
import './roundrobin-rfc/index.ts';
