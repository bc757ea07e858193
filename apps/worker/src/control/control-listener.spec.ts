import { parseControlMessage } from './control-listener';

describe('parseControlMessage', () => {
  it('accepts the two control messages and rejects anything else', () => {
    expect(parseControlMessage('{"type":"cancel","task_id":"t1","attempt":2}')).toEqual({ type: 'cancel', task_id: 't1', attempt: 2 });
    expect(parseControlMessage('{"type":"codebases_changed"}')).toEqual({ type: 'codebases_changed' });
    expect(parseControlMessage('{"type":"cancel","task_id":"t1"}')).toBeNull();
    expect(parseControlMessage('{"type":"reboot"}')).toBeNull();
    expect(parseControlMessage('not json')).toBeNull();
  });
});
