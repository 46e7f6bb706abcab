import { createRegistry, DuplicateRobotError } from '../../src/activities/registry';
import { everyTypeRobot, tariffRobot } from './robot-fixtures';

describe('the registry finds a robot by the CODE a call carries', () => {
  const registry = createRegistry([everyTypeRobot, tariffRobot]);

  it('finds the robot by its code and its activity by <code>_bp', () => {
    expect(registry.resolve('test_tariff')).toBe(tariffRobot);
    expect(registry.resolve('test_tariff_bp')).toBe(tariffRobot);
    expect(registry.get('test_tariff_bp')).toBeNull();
    expect(registry.resolve('nothing')).toBeNull();
    expect(registry.list()).toEqual([everyTypeRobot, tariffRobot]);
  });

  it('rejects two robots with one code, also when a code equals another robot\'s activity code', () => {
    expect(() => createRegistry([tariffRobot, tariffRobot])).toThrow(DuplicateRobotError);
    const clash = { ...everyTypeRobot, code: 'test_tariff_bp' };
    expect(() => createRegistry([tariffRobot, clash])).toThrow(/used by both "test_tariff" and "test_tariff_bp"/);
  });
});
