// glossary.js: the page's terms, English to Simplified Chinese, one
// translation each. Every text in views/*/strings.js (and bench-strings.js)
// uses these words; glossary.test.js fails when a text uses one of a
// term's rejected translations (`not`), and checks the spacing and quote
// rules of the Chinese texts. term() translates the few names that come
// from outside the texts (a data set's title from its manifest, a
// pretrained model's name).

export const GLOSSARY = [
  { en: 'kernel', zh: '卷积核', not: ['滤波器'], note: 'the weights one output channel slides over its input' },
  { en: 'filter', zh: '卷积核', not: ['滤波器', '过滤器'], note: 'the texts say filter and kernel for the same thing: one output channel\'s weights over all input channels; a kernel slice (切片) is its part on one input channel' },
  { en: 'kernel slice', zh: '切片', not: [], note: 'one input channel\'s k×k part of a kernel' },
  { en: 'stride', zh: '步幅', not: ['步长', '跨度'], note: 'how far the window moves; 步长 is left to no one, not even an optimizer\'s step' },
  { en: 'padding', zh: '填充', not: [], note: 'valid / same / p cells' },
  { en: 'zero padding', zh: '补零', not: [], note: 'the cells of 0 that padding adds' },
  { en: 'feature map', zh: '特征图', not: ['特征映射'], note: '' },
  { en: 'channel', zh: '通道', not: [], note: '' },
  { en: 'pooling', zh: '池化', not: ['汇聚'], note: '' },
  { en: 'dense layer', zh: '全连接层', not: ['密集层', '稠密层'], note: 'Keras Dense' },
  { en: 'flatten', zh: '展平', not: ['扁平化', '压平'], note: '' },
  { en: 'bias', zh: '偏置', not: ['偏差'], note: '' },
  { en: 'weight', zh: '权重', not: [], note: '' },
  { en: 'epoch', zh: '轮', not: ['周期', '世代'], note: 'one pass over the training images' },
  { en: 'batch', zh: '批', not: [], note: '批次 where a count of batches reads better' },
  { en: 'learning rate', zh: '学习率', not: [], note: '' },
  { en: 'loss', zh: '损失', not: [], note: '' },
  { en: 'validation', zh: '验证', not: [], note: '' },
  { en: 'early stopping', zh: '早停', not: ['提前停止'], note: '' },
  { en: 'checkpoint', zh: '检查点', not: [], note: '' },
  { en: 'transposed convolution', zh: '转置卷积', not: [], note: '"deconvolution" is 反卷积, in quotes' },
  { en: 'reference model', zh: '参考模型', not: [], note: 'the notes\' model, 435,306 parameters' },
  { en: 'pretrained', zh: '预训练', not: [], note: '' },
  { en: 'test image', zh: '测试图像', not: ['测试图片'], note: '' },
  { en: 'segmentation', zh: '分割', not: ['切分'], note: 'a class for every pixel' },
  { en: 'fully convolutional network', zh: '全卷积网络', not: [], note: 'FCN: convolutions and transposed convolutions only, its output a map' },
  { en: 'pixel accuracy', zh: '像素准确率', not: [], note: 'the share of pixels given their true class' },
  { en: 'mean IoU', zh: '平均 IoU', not: ['平均交并比'], note: 'intersection over union per class, averaged over the classes present' },
];

/** NAMES: whole names from outside the texts (manifest titles, preset names), as the page shows them. */
export const NAMES = {
  'Fashion-MNIST (2017 original release)': 'Fashion-MNIST（2017 年原始版本）',
  'MNIST handwritten digits': 'MNIST 手写数字',
  reference: '参考',
  small: '小',
};

/** term is name in language lang: NAMES' Chinese, or name itself. */
export function term(name, lang) {
  return lang === 'zh' && Object.hasOwn(NAMES, name) ? NAMES[name] : name;
}
