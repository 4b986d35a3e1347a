export { DEVICE_TYPES, isDeviceType, resolveDevice, type DeviceType, type ResolvedDevice } from './devices.js';
