import type { MethodHandler, MethodOptions, MethodRegistry } from './contract';

export interface RegisteredMethod {
  name: string;
  handler: MethodHandler;
  options: MethodOptions;
}

/** The sandbox's method table. The server lower-cases method names, so lookups are case-insensitive (PROTOCOL §4.5). */
export class MethodTable implements MethodRegistry {
  private readonly methods = new Map<string, RegisteredMethod>();

  register(name: string, handler: MethodHandler, options: MethodOptions = {}): void {
    const key = name.toLowerCase();
    if (this.methods.has(key)) {
      throw new Error(`sandbox method "${key}" is registered twice: each REST method belongs to exactly one part`);
    }
    this.methods.set(key, { name: key, handler, options });
  }

  get(name: string): RegisteredMethod | undefined {
    return this.methods.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }
}
