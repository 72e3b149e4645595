/**
 * @peculiar/x509 registers its algorithm providers through tsyringe, which refuses to load
 * unless the Reflect metadata API exists. The `reflect-metadata` package is not a
 * dependency, so this supplies the three calls tsyringe makes (getMetadata,
 * getOwnMetadata, defineMetadata). Import it before '@peculiar/x509'.
 */
type MetadataMap = Map<unknown, unknown>;
interface ReflectMetadata {
  getMetadata?(key: unknown, target: object): unknown;
  getOwnMetadata?(key: unknown, target: object): unknown;
  defineMetadata?(key: unknown, value: unknown, target: object): void;
}

const store = new WeakMap<object, MetadataMap>();
const reflect = Reflect as unknown as ReflectMetadata;

if (reflect.getMetadata === undefined) {
  reflect.getOwnMetadata = (key, target) => store.get(target)?.get(key);
  reflect.getMetadata = (key, target) => {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t) as object | null) {
      const own = store.get(t);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  };
  reflect.defineMetadata = (key, value, target) => {
    const own = store.get(target) ?? new Map<unknown, unknown>();
    own.set(key, value);
    store.set(target, own);
  };
}
