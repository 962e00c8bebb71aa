/**
 * The built-ins of the fuzz worker, frozen before the policy module loads. The policy shares the
 * worker's realm with the model and the checkers: a policy that replaced `Array.prototype.push`
 * (at load) or `Map.prototype.get` (inside place()) would change what the judge computes, and the
 * run would hang, or fail as the model's own error. Frozen, such an assignment throws a TypeError
 * in the policy's code (ES modules are strict): a load error (exit 2), or a `threw` fault on the
 * packet (exit 1). In the manner of SES's lockdown, without its taming of errors and clocks.
 */

/** The ECMAScript globals (and the few host ones the worker relies on) whose bindings stay put. */
const GLOBALS = [
  'Object',
  'Function',
  'Array',
  'Number',
  'String',
  'Boolean',
  'Symbol',
  'BigInt',
  'Math',
  'JSON',
  'Reflect',
  'Proxy',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'FinalizationRegistry',
  'Promise',
  'Date',
  'RegExp',
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'AggregateError',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Atomics',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURI',
  'encodeURIComponent',
  'decodeURI',
  'decodeURIComponent',
  'globalThis',
  // Host functions the worker has already wrapped (deferred.ts), and its clock for --duration.
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'structuredClone',
] as const;

/**
 * Properties that code assigns on its own objects although a prototype has them (`this.name` in an
 * Error subclass, `obj.toString = ...`): on a frozen prototype that assignment would throw (the
 * "override mistake"), so these become accessors that define the property on the object assigned to.
 */
const OVERRIDABLE: ReadonlyArray<readonly [object, readonly string[]]> = [
  [Object.prototype, ['constructor', 'toString', 'valueOf', 'toLocaleString']],
  [Function.prototype, ['constructor', 'toString']],
  [Array.prototype, ['constructor', 'toString']],
  [Promise.prototype, ['constructor']],
  ...[Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError].map(
    (E): readonly [object, readonly string[]] => [
      E.prototype,
      ['constructor', 'name', 'message', 'toString'],
    ],
  ),
];

/** Intrinsics no global names: the prototypes of iterators, generators and typed arrays. */
function hiddenIntrinsics(): object[] {
  const protoOf = (x: object) => Object.getPrototypeOf(x) as object;
  const arrayIterator = protoOf([][Symbol.iterator]());
  function* generator() {}
  async function* asyncGenerator() {}
  async function asyncFunction() {}
  return [
    protoOf(Int8Array),
    arrayIterator,
    protoOf(arrayIterator),
    protoOf(new Map()[Symbol.iterator]()),
    protoOf(new Set()[Symbol.iterator]()),
    protoOf(''[Symbol.iterator]()),
    protoOf(/x/[Symbol.matchAll]('')),
    protoOf(generator),
    protoOf(asyncGenerator),
    protoOf(asyncFunction),
  ];
}

function makeOverridable(proto: object, key: string): void {
  const desc = Object.getOwnPropertyDescriptor(proto, key);
  if (desc === undefined || !('value' in desc) || !desc.configurable) return;
  const value: unknown = desc.value;
  Object.defineProperty(proto, key, {
    get: () => value,
    set(this: object, v: unknown) {
      if (this === proto)
        throw new TypeError(`Cannot assign to read only property '${key}' of a frozen built-in`);
      Object.defineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: desc.enumerable ?? false,
    configurable: false,
  });
}

/**
 * Freezes `root` and everything reachable through its own properties and prototype. A plain method
 * (a function without a `prototype` of its own) is frozen without a walk: it holds only its `name`
 * and `length`, and its prototype is Function.prototype (two thirds of the walk's time).
 */
function deepFreeze(root: unknown, seen: Set<unknown>): void {
  const todo = [root];
  while (todo.length > 0) {
    const x = todo.pop();
    if ((typeof x !== 'object' && typeof x !== 'function') || x === null || seen.has(x)) continue;
    if (typeof x === 'function' && !Object.hasOwn(x, 'prototype') && x !== root) {
      Object.freeze(x);
      continue;
    }
    seen.add(x);
    Object.freeze(x);
    todo.push(Object.getPrototypeOf(x));
    for (const desc of Object.values(Object.getOwnPropertyDescriptors(x))) {
      todo.push(desc.value, desc.get, desc.set);
    }
  }
}

/**
 * `Error` itself stays extensible with two writable properties: Node, esbuild and source-map
 * support set `Error.stackTraceLimit` and `Error.prepareStackTrace`; the rest is locked.
 */
const ERROR_TUNABLES = ['stackTraceLimit', 'prepareStackTrace'];

function lockErrorConstructor(seen: Set<unknown>): void {
  seen.add(Error);
  for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(Error))) {
    if (ERROR_TUNABLES.includes(key)) continue;
    Object.defineProperty(Error, key, {
      ...desc,
      ...('value' in desc ? { writable: false } : {}),
      configurable: false,
    });
    deepFreeze(desc.value, seen);
  }
  deepFreeze(Object.getPrototypeOf(Error), seen);
}

const PROCESS_WRAPPED = [
  'exit',
  'reallyExit',
  'abort',
  'kill',
  'nextTick',
  'removeListener',
  'off',
  'removeAllListeners',
];

let done = false;

/** Freezes the shared built-ins (once per worker), after the worker's own modules have loaded. */
export function lockdown(): void {
  if (done) return;
  done = true;
  for (const [proto, keys] of OVERRIDABLE) for (const key of keys) makeOverridable(proto, key);
  const g = globalThis as unknown as Record<string, unknown>;
  const seen = new Set<unknown>([globalThis]);
  lockErrorConstructor(seen);
  for (const name of GLOBALS) {
    if (!(name in g)) continue;
    deepFreeze(g[name], seen);
    const desc = Object.getOwnPropertyDescriptor(globalThis, name);
    if (desc?.configurable === true) {
      Object.defineProperty(globalThis, name, { value: g[name], writable: false, configurable: false });
    }
  }
  for (const intrinsic of hiddenIntrinsics()) deepFreeze(intrinsic, seen);
  // The interceptors of contain.ts and deferred.ts stay in place: a policy cannot put back what they wrap.
  for (const key of PROCESS_WRAPPED) {
    const desc = Object.getOwnPropertyDescriptor(process, key);
    if (desc?.configurable === true)
      Object.defineProperty(process, key, {
        ...desc,
        ...('value' in desc ? { writable: false } : {}),
        configurable: false,
      });
  }
}
