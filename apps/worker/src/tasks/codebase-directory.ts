import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { CodebaseRef } from '#contracts';

/** The codebases this worker owns, as the control plane last said (id -> local path). */
@Injectable()
export class CodebaseDirectory extends EventEmitter<{ changed: [] }> {
  private readonly byId = new Map<string, CodebaseRef>();

  /** Replaces the whole set (heartbeat response: the server's truth). */
  replace(codebases: CodebaseRef[]): void {
    const before = [...this.byId.keys()].sort().join('\n');
    this.byId.clear();
    for (const cb of codebases) this.byId.set(cb.id, { id: cb.id, name: cb.name, path: cb.path });
    if ([...this.byId.keys()].sort().join('\n') !== before) this.emit('changed');
  }

  add(codebase: CodebaseRef): void {
    const known = this.byId.has(codebase.id);
    this.byId.set(codebase.id, { id: codebase.id, name: codebase.name, path: codebase.path });
    if (!known) this.emit('changed');
  }

  get(id: string): CodebaseRef | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}
